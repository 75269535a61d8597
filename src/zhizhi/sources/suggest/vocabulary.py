"""The words `sources suggest` tells a firm's name and a person's by: what an organisation's name holds or ends with,
and the common surnames."""

ORGANISATION_WORDS = (
    "公司",
    "合作社",
    "经营部",
    "个体",
    "中心",
    "商行",
    "门市",
    "超市",
    "药房",
    "药店",
    "饭店",
    "酒店",
    "酒楼",
    "餐厅",
    "餐馆",
    "工作室",
    "事务所",
    "诊所",
    "医院",
    "学校",
    "幼儿园",
    "协会",
    "商会",
    "集团",
    "分店",
    "店",
    "厂",
    "馆",
)
# Endings of the farms, orchards and bases of an agricultural county's register (柳州市柳江区金鸡养殖场): a name
# ends with them, an address only holds them (果园路12号, 茶园小区5栋, 产业基地A栋); 场 alone ends 广场.
ORGANISATION_SUFFIXES = (
    *("养殖场", "农场", "林场", "牧场", "渔场", "分场"),
    *("果园", "茶园", "苗圃", "基地", "专业户", "作坊"),
)
ORGANISATION_ENDINGS = "行部社站院所局坊铺吧厅"
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛"
    "樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁"
    "冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米"
    "柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝黄"
)
