"""The sections of a unit's annual digital-transformation report, in the order the seeds use.

Results of the year by area (seeds 000 and 004, part I/II), then shortcomings, next year's tasks
and proposals. Targets are filed under one of the result areas; officers type the narrative of
every section, the system fills in the figures it knows.
"""

RESULT_AREAS = [
    ("direction", "Công tác lãnh đạo, chỉ đạo"),
    ("infrastructure", "Phát triển hạ tầng số"),
    ("digital_government", "Phát triển chính quyền số"),
    ("digital_economy", "Phát triển kinh tế số"),
    ("digital_society", "Phát triển xã hội số"),
    ("security", "Bảo đảm an toàn thông tin mạng"),
    ("human_resources", "Phát triển nguồn nhân lực chuyển đổi số"),
    ("budget", "Kinh phí thực hiện"),
]
OTHER_SECTIONS = [
    ("shortcomings", "Hạn chế, khó khăn và nguyên nhân"),
    ("next_year", "Nhiệm vụ năm tới"),
    ("proposals", "Đề xuất, kiến nghị"),
]
ALL_SECTIONS = RESULT_AREAS + OTHER_SECTIONS
SECTION_TITLES = dict(ALL_SECTIONS)
TARGET_AREAS = [a for a in RESULT_AREAS if a[0] != "budget"]
