from django.db import migrations

# The groups the seeds use (000, 001, 004: by area; 003: plan 02-KH/BCĐTW Nhóm I–V) and the
# funding sources they name (000: CTX, NSH, NST; 004: ngân sách thị xã / tỉnh, chi thường xuyên,
# sponsors). Both catalogues are edited by the provincial admin afterwards.
GROUPS = [
    ("chinh-quyen-so", "Chính quyền số", "",
     ["Phát triển chính quyền số", "Chính quyền điện tử", "Phát triển chính quyền điện tử",
      "Phát triển chính quyền điện tử hướng đến chính quyền số",
      "Phát triển chính quyền điện tử hướng tới chính quyền số"]),
    ("kinh-te-so", "Kinh tế số", "", ["Phát triển kinh tế số"]),
    ("xa-hoi-so", "Xã hội số", "", ["Phát triển xã hội số"]),
    ("kinh-te-xa-hoi-so", "Kinh tế số, xã hội số", "",
     ["Phát triển kinh tế số, xã hội số", "Kinh tế số và xã hội số", "Phát triển kinh tế số và xã hội số"]),
    ("ha-tang-so", "Hạ tầng số và dữ liệu", "",
     ["Hạ tầng số", "Phát triển hạ tầng số", "Dữ liệu số", "Phát triển dữ liệu số"]),
    ("an-toan-thong-tin", "An toàn thông tin", "",
     ["An toàn thông tin mạng", "Bảo đảm an toàn thông tin", "Đảm bảo an toàn, an ninh mạng",
      "Bảo đảm an toàn, an ninh mạng", "An toàn, an ninh mạng", "An ninh mạng"]),
    ("nhan-luc", "Nhân lực chuyển đổi số", "",
     ["Nhân lực", "Nguồn nhân lực", "Phát triển nguồn nhân lực", "Nhân lực, phục vụ chuyển đổi số",
      "Nhân lực phục vụ chuyển đổi số"]),
    ("nhan-thuc", "Chuyển đổi nhận thức", "", ["Nâng cao nhận thức"]),
    ("do-thi-thong-minh", "Đô thị thông minh", "", ["Phát triển đô thị thông minh"]),
    ("kh02-nhom-1", "Nhóm I - Hoàn thiện thể chế và kiến trúc pháp lý", "Kế hoạch 02-KH/BCĐTW",
     ["Hoàn thiện thể chế và kiến trúc pháp lý"]),
    ("kh02-nhom-2", "Nhóm II - Xây dựng hạ tầng số và các cơ sở dữ liệu trọng yếu", "Kế hoạch 02-KH/BCĐTW",
     ["Xây dựng hạ tầng số và các cơ sở dữ liệu trọng yếu"]),
    ("kh02-nhom-3", "Nhóm III - Thống nhất nền tảng, ứng dụng phục vụ người dân, doanh nghiệp",
     "Kế hoạch 02-KH/BCĐTW", ["Thống nhất nền tảng, ứng dụng phục vụ người dân, doanh nghiệp"]),
    ("kh02-nhom-4", "Nhóm IV - Phát triển nguồn lực (nhân lực và tài chính)", "Kế hoạch 02-KH/BCĐTW",
     ["Phát triển nguồn lực (nhân lực và tài chính)", "Phát triển nguồn lực"]),
    ("kh02-nhom-5", "Nhóm V - Bảo đảm an toàn thông tin, an ninh mạng và bảo mật", "Kế hoạch 02-KH/BCĐTW",
     ["Bảo đảm an toàn thông tin, an ninh mạng và bảo mật"]),
]

SOURCES = [
    ("CTX", "Chi thường xuyên", ["Kinh phí chi thường xuyên"]),
    ("NSH", "Ngân sách huyện/thị xã",
     ["Ngân sách huyện", "Ngân sách thị xã", "Ngân sách thành phố", "Ngân sách cấp huyện"]),
    ("NSX", "Ngân sách xã", ["Ngân sách phường", "Ngân sách cấp xã", "Ngân sách xã/phường"]),
    ("NST", "Ngân sách tỉnh", ["Ngân sách cấp tỉnh"]),
    ("NSTW", "Ngân sách trung ương", ["Trung ương", "Vốn trung ương"]),
    ("XHH", "Xã hội hóa/tài trợ", ["Xã hội hóa", "Tài trợ", "Nhà tài trợ", "Doanh nghiệp tài trợ"]),
]


def seed(apps, schema_editor):
    TaskGroup = apps.get_model("transformation", "TaskGroup")
    FundingSource = apps.get_model("transformation", "FundingSource")
    for order, (code, name, framework, aliases) in enumerate(GROUPS, start=1):
        TaskGroup.objects.get_or_create(code=code, defaults={
            "name": name, "framework": framework, "aliases": "\n".join(aliases), "order": order})
    for order, (code, name, aliases) in enumerate(SOURCES, start=1):
        FundingSource.objects.get_or_create(code=code, defaults={
            "name": name, "aliases": "\n".join(aliases), "order": order})


class Migration(migrations.Migration):
    dependencies = [("transformation", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
