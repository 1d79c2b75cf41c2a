"""The demo city: 太原's real districts with several of their street offices, plus 大同 as a second city
so that every jurisdiction check has an outside to refuse."""

PROVINCE = ("shanxi", "山西省", "Shanxi Province")

CITIES = {
    "taiyuan": ("太原市", "Taiyuan", {
        "xiaodian": ("小店区", "Xiaodian District", [
            ("wucheng", "坞城街道", "Wucheng Subdistrict"), ("yingpan", "营盘街道", "Yingpan Subdistrict"),
            ("beiying", "北营街道", "Beiying Subdistrict"), ("pingyanglu", "平阳路街道", "Pingyanglu Subdistrict"),
            ("huangling", "黄陵街道", "Huangling Subdistrict")]),
        "yingze": ("迎泽区", "Yingze District", [
            ("liuxiang", "柳巷街道", "Liuxiang Subdistrict"), ("wenmiao", "文庙街道", "Wenmiao Subdistrict"),
            ("qiaodong", "桥东街道", "Qiaodong Subdistrict"), ("miaoqian", "庙前街道", "Miaoqian Subdistrict")]),
        "xinghualing": ("杏花岭区", "Xinghualing District", [
            ("julun", "巨轮街道", "Julun Subdistrict"), ("sanqiao", "三桥街道", "Sanqiao Subdistrict"),
            ("gulou", "鼓楼街道", "Gulou Subdistrict"), ("balingqiao", "坝陵桥街道", "Balingqiao Subdistrict")]),
        "jiancaoping": ("尖草坪区", "Jiancaoping District", [
            ("jiancaoping_st", "尖草坪街道", "Jiancaoping Subdistrict"),
            ("guangshe", "光社街道", "Guangshe Subdistrict"), ("shanglan", "上兰街道", "Shanglan Subdistrict")]),
        "wanbailin": ("万柏林区", "Wanbailin District", [
            ("qianfeng", "千峰街道", "Qianfeng Subdistrict"), ("xiayuan", "下元街道", "Xiayuan Subdistrict"),
            ("heping", "和平街道", "Heping Subdistrict"), ("xinghua", "兴华街道", "Xinghua Subdistrict")]),
        "jinyuan": ("晋源区", "Jinyuan District", [
            ("yijing", "义井街道", "Yijing Subdistrict"), ("luocheng", "罗城街道", "Luocheng Subdistrict"),
            ("jinyuan_st", "晋源街道", "Jinyuan Subdistrict")]),
        "qingxu": ("清徐县", "Qingxu County", [("qingyuan", "清源镇", "Qingyuan Town")]),
        "yangqu": ("阳曲县", "Yangqu County", [("huangzhai", "黄寨镇", "Huangzhai Town")]),
        "loufan": ("娄烦县", "Loufan County", [("loufan_town", "娄烦镇", "Loufan Town")]),
        "gujiao": ("古交市", "Gujiao City", [
            ("dongqu", "东曲街道", "Dongqu Subdistrict"), ("taoyuan", "桃园街道", "Taoyuan Subdistrict")]),
    }),
    "datong": ("大同市", "Datong", {
        "pingcheng": ("平城区", "Pingcheng District", [
            ("nanguan", "南关街道", "Nanguan Subdistrict"), ("beiguan", "北关街道", "Beiguan Subdistrict")]),
    }),
}

# Region codes (GB/T 2260) for demo ID numbers, by district.
REGION_CODES = {
    "xiaodian": "140105", "yingze": "140106", "xinghualing": "140107", "jiancaoping": "140108",
    "wanbailin": "140109", "jinyuan": "140110", "qingxu": "140121", "yangqu": "140122", "loufan": "140123",
    "gujiao": "140181", "pingcheng": "140213",
}

# Telephone area codes of the demo cities: street offices get a demo switchboard number in them.
AREA_CODES = {"taiyuan": "0351", "datong": "0352"}


def street_office_contact(city_code: str, city_zh: str, district_zh: str, street_zh: str, index: int) -> tuple[str, str]:
    """A demo street office's address and phone (invented, marked as demo values, not the office's real ones)."""
    return (f"{city_zh}{district_zh}{street_zh}便民服务中心（演示地址）",
            f"{AREA_CODES.get(city_code, '0351')}-6{index:03d}0000")


DEMO_PASSWORD = "demo-password-2026"

# (username, display name, role, jurisdiction code): the accounts listed in the README.
STAFF_ACCOUNTS = [
    ("admin", "省级管理员", "administrator", "shanxi"),
    ("ty_admin", "太原市管理员", "administrator", "taiyuan"),
    ("liuchu", "刘处长", "bureau_officer", "taiyuan"),
    ("ty_officer2", "周科员", "bureau_officer", "taiyuan"),
    ("xiaodian_reviewer", "孙审核", "district_reviewer", "xiaodian"),
    ("yingze_reviewer", "钱审核", "district_reviewer", "yingze"),
    ("wangqiang", "王强", "street_caseworker", "wucheng"),
    ("wucheng2", "赵敏", "street_caseworker", "wucheng"),
    ("liuxiang_worker", "郑华", "street_caseworker", "liuxiang"),
    ("datong_officer", "大同市住房保障经办人", "bureau_officer", "datong"),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "秀兰建国丽娟志强海燕明军红梅晓东雪莲伟华淑珍俊杰玉兰文博桂英永刚春燕德胜美玲子豪欣怡浩然"

# (code, name, district, programme, tenure, kind, units, area range m², bedrooms range, floors, elevator, rent/m²)
PROJECTS = [
    ("TY-PR-01", "龙城公租房小区", "xiaodian", "public_rental", None, "apartment", 180, (32, 58), (1, 2), 18, True, 5.6),
    ("TY-PR-02", "西山公租房小区", "wanbailin", "public_rental", None, "apartment", 140, (35, 60), (1, 2), 6, False, 5.6),
    ("TY-PR-03", "北营公租房小区", "xiaodian", "public_rental", None, "apartment", 90, (38, 50), (1, 2), 11, True, 5.6),
    ("TY-PR-04", "上兰公租房小区", "jiancaoping", "public_rental", None, "apartment", 60, (40, 55), (1, 2), 6, False, 5.0),
    ("TY-SR-01", "长风青年公寓", "xiaodian", "subsidized_rental", None, "apartment", 160, (30, 68), (1, 2), 24, True, 22.0),
    ("TY-SR-02", "学府园宿舍", "yingze", "subsidized_rental", None, "dormitory", 140, (20, 40), (0, 1), 12, True, 25.0),
    ("TY-TA-01", "人才公寓（租赁）", "xiaodian", "talent", "rental", "apartment", 160, (60, 90), (2, 3), 28, True, 18.0),
    ("TY-TA-02", "人才家园（共有产权）", "jinyuan", "talent", "shared_ownership", "apartment", 100, (90, 120), (3, 4), 18, True, 0.0),
]

# Demo values, not official figures: (market rent of comparable housing nearby, yuan/m²/month; construction
# and land cost, yuan/m²) by project, in the range of 2023–24 Taiyuan listings (new homes around ¥10,000–
# 12,000/m², rents around ¥17–30/m²/month, small dormitory rooms dearest per m²). Subsidized rental rents
# above stay below the ceiling: ¥22 < 90% × ¥26 = ¥23.4 and ¥25 < 90% × ¥30 = ¥27.
PROJECT_PRICES = {
    "TY-PR-01": ("24.00", None), "TY-PR-02": ("20.00", None), "TY-PR-03": ("24.00", None),
    "TY-PR-04": ("17.00", None),
    "TY-SR-01": ("26.00", None), "TY-SR-02": ("30.00", None),
    "TY-TA-01": ("26.00", "7200.00"), "TY-TA-02": ("20.00", "6500.00"),
}
