from django.db import migrations

# Circular 01/2018/TT-VPCP art. 13 indicators (copied from motcua.engagement.rules at the time of writing).
CRITERIA = [
    ("total_time", 1, "Tổng thời gian giải quyết so với thời gian quy định",
     {"2": "Sớm hơn quy định", "1": "Đúng quy định", "0": "Muộn hơn quy định"}),
    ("unit_time", 2, "Thời gian giải quyết của từng cơ quan, đơn vị so với quy định",
     {"2": "Sớm hơn quy định", "1": "Đúng quy định", "0": "Muộn hơn quy định"}),
    ("contacts", 3, "Số lần phải liên hệ nơi tiếp nhận để hoàn thiện hồ sơ (kể cả trực tuyến)",
     {"2": "Không phải liên hệ", "1": "Một lần", "0": "Nhiều hơn một lần"}),
]


def seed(apps, schema_editor):
    RatingCriterion = apps.get_model("engagement", "RatingCriterion")
    for code, order, name, options in CRITERIA:
        RatingCriterion.objects.get_or_create(code=code, defaults={"order": order, "name": name, "options": options})


class Migration(migrations.Migration):
    dependencies = [("engagement", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
