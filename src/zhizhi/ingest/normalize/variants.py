"""Traditional characters of addresses written as the simplified ones the division list and registers use.

Hand-typed lists (and text pasted from Hong Kong, Macao or Taiwan systems) write 號, 區, 縣, 樓, 層 and place names in
traditional characters; the GB/T 2260 list and registration records use simplified ones, so 柳州市城中區潭中東路18號
would find no county and share no road with 柳州市城中区潭中东路18号. Only characters common in addresses and place
names are mapped (about 220): a full conversion table would also change characters that are distinct words in
simplified text, and addresses need none of those.
"""

from __future__ import annotations

import polars as pl

TRADITIONAL = (
    "來億內劉務勝匯區吳單國圍園團場壇壩壯婁孫學實寧寶層岡島峽崗嶺嶼嶽巖幾廈廟廠廣廳張後懷揚撫攤晉會東條棗"
    "棟楊業榮樂樓樣橋檔欽歸涼淪淺湯溝溫滙滬漁漢澗濕濟濤濰濱瀋瀘灘灣煙燈營爐環瓊畢當發盤盧碼礦範築紀紅紡紹"
    "組綠綿縣織繡羅聯臨臺興舊舖莊華萬葉蔣蕭藍藝藥蘆蘇蘭號衛裏裡觀許謝譚豐財貢貨貴貿賀資贛趙車軍軒輸農連進"
    "運達遼邊鄉鄒鄧鄭鄰醫銀銅鋁鋪鋼錢錦錫鍋鍾鎮鐘鐵長門開間閣閩閻關陝陳陸陽隊階際隴雙雞雲電靑靜韋頭顏顧館"
    "馮驗體魚魯鳳鴣鴻鵝鶴鷓鷹鹽麗黃齊龍龐龔龜"
)
SIMPLIFIED = (
    "来亿内刘务胜汇区吴单国围园团场坛坝壮娄孙学实宁宝层冈岛峡岗岭屿岳岩几厦庙厂广厅张后怀扬抚摊晋会东条枣"
    "栋杨业荣乐楼样桥档钦归凉沦浅汤沟温汇沪渔汉涧湿济涛潍滨沈泸滩湾烟灯营炉环琼毕当发盘卢码矿范筑纪红纺绍"
    "组绿绵县织绣罗联临台兴旧铺庄华万叶蒋萧蓝艺药芦苏兰号卫里里观许谢谭丰财贡货贵贸贺资赣赵车军轩输农连进"
    "运达辽边乡邹邓郑邻医银铜铝铺钢钱锦锡锅钟镇钟铁长门开间阁闽阎关陕陈陆阳队阶际陇双鸡云电青静韦头颜顾馆"
    "冯验体鱼鲁凤鸪鸿鹅鹤鹧鹰盐丽黄齐龙庞龚龟"
)
TO_SIMPLIFIED = dict(zip(TRADITIONAL, SIMPLIFIED, strict=True))
_TABLE = str.maketrans(TO_SIMPLIFIED)


def simplified_expr(expr: pl.Expr) -> pl.Expr:
    """Traditional address characters of a string expression written simplified."""
    return expr.str.replace_many(TO_SIMPLIFIED)


def simplified_value(value: str) -> str:
    """Traditional address characters of one value written simplified (as `simplified_expr` does)."""
    return value.translate(_TABLE)
