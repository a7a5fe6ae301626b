"""The credits grammar on every printed variant (both scripts)."""

from __future__ import annotations

import pytest

from newsarchive.extract.credits import (
    byline_credits,
    closing_credits,
    credit_line,
    dedupe,
    is_credit_only,
    line_credits,
    photo_credits,
)
from newsarchive.records import Credit


def c(role: str, *names: str) -> list[Credit]:
    return [Credit(role=role, name=n) for n in names]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("新华社杭州9月29日电（记者王俊禄、林光耀）刚获评", c("记者", "王俊禄", "林光耀")),
        ("……新篇章作出新的更大貢獻。(記者 魯毅)", c("记者", "魯毅")),
        ("（记者 鲁 毅）", c("记者", "鲁毅")),
        ("（记者张三 通讯员李四、王五）", c("记者", "张三") + c("通讯员", "李四", "王五")),
        ("（新华社记者 赵六）", c("记者", "赵六")),
        ("（實習生 陳七 記者 林八）", c("实习生", "陳七") + c("记者", "林八")),
        ("26个省（区、市）", []),
        ("图为柯伟力。（受访者供图）", []),
        ("新华社发（刘满仓摄）", []),  # a photo credit, not a byline
        # Other outlets' reporters (reposts on the provincial channels).
        ("（贵州日报天眼新闻记者 张三）今年以来", c("记者", "张三")),
        ("（人民网记者 李四、王五）", c("记者", "李四", "王五")),
        ("（中央广播电视总台记者 赵六 通讯员 钱七）", c("记者", "赵六") + c("通讯员", "钱七")),
        # Words after the names are not names.
        ("（记者 张三 报道）", c("记者", "张三")),
        ("（记者王三 摄影报道）", c("记者", "王三")),
        ("（记者王台）", c("记者", "王台")),  # a name ending like an outlet stays a name
    ],
)
def test_bylines(text: str, expected: list[Credit]) -> None:
    assert byline_credits(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[责任编辑:王雪松 邓娴 ]", c("责任编辑", "王雪松", "邓娴")),
        ("[責任編輯:王雪松 鄧嫻 ]", c("责任编辑", "王雪松", "鄧嫻")),
        ("责任编辑：\n尹世杰", c("责任编辑", "尹世杰")),
        ("【责任编辑:张樵苏\n】", c("责任编辑", "张樵苏")),
        ("[作者: 刘满仓 \u3000责任编辑:\n 杨丹宇 ]", c("作者", "刘满仓") + c("责任编辑", "杨丹宇")),
        ("责任编辑： 邱丽芳", c("责任编辑", "邱丽芳")),
        ("作者：记者某某", c("记者", "某某")),
        ("编辑：余小兰", c("编辑", "余小兰")),
        ("[责任编辑: 曾鹏] ", c("责任编辑", "曾鹏")),
        ("校對：王一/李二", c("校对", "王一", "李二")),
        ("图文：张三", c("作者", "张三")),
        ("文/图：李四", c("作者", "李四")),
        ("文字：张三 图片：李四", c("作者", "张三") + c("摄影", "李四")),
        (
            "策划：张三　统筹：李四　视频：王五",
            c("策划", "张三") + c("统筹", "李四") + c("视频", "王五"),
        ),
    ],
)
def test_role_colon_lines(text: str, expected: list[Credit]) -> None:
    assert credit_line(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("初冬季节，整个妥乐村被银杏树群装点得“金彩”夺目。新华网 卢志佳 摄", ["卢志佳"]),
        ("新华社发（刘满仓摄）", ["刘满仓"]),
        ("新华社记者 张三 摄", ["张三"]),
        ("新华社记者李四、王五摄", ["李四", "王五"]),
        ("图为孩子们在阅读。（新华社记者 陈思远 摄）", ["陈思远"]),
        ("新華社記者 劉八 攝", ["劉八"]),
        ("本报记者 张三 摄", ["张三"]),
        ("贵州日报记者 李四 摄", ["李四"]),
        ("（王春台 摄）", ["王春台"]),
        ("图为柯伟力。（受访者供图）", []),
        ("他拿起相机拍摄风景。", []),
    ],
)
def test_photo_credits(text: str, expected: list[str]) -> None:
    assert [credit.name for credit in photo_credits(text)] == expected
    assert all(credit.role == "摄影" for credit in photo_credits(text))


@pytest.mark.parametrize(
    ("text", "only"),
    [
        ("（记者 鲁毅）", True),
        ("(記者 魯毅)", True),
        ("[责任编辑: 曾鹏]", True),
        ("新华社发（刘满仓摄）", True),
        ("新华网 卢志佳 摄", True),
        ("责任编辑：尹世杰", True),
        ("（记者 孙海涛 通讯员 赵敏）", True),
        ("(责编：汤诗瑶、丁涛)", True),
        ("本报记者 李四 通讯员 王五", True),
        ("（本报记者 张三）", True),
        ("记者来到现场看到，工人正在施工。", False),
        ("心中有信仰，脚下有力量。", False),
        ("图为柯伟力。（受访者供图）", False),
        ("新华社贵阳11月27日电（记者鲁毅）贵州省政协机关加强思想政治建设。", False),
        ("（人民日报记者 张三 通讯员 李四）", True),
        ("■记者 张三", True),
        ("文/图 记者 张三", True),
        ("（图片来源：新华社）", False),
        ("（文化部门）", False),
        # Subheadings that open with a role word, and sentences that do.
        ("记者手记", False),
        ("记者观察", False),
        ("作者简介", False),
        ("统筹推进", False),
        ("记者近日从县供销合作社获悉，平塘今年", False),
    ],
)
def test_credit_only_lines(text: str, only: bool) -> None:
    assert is_credit_only(text) is only


def test_names_are_name_shaped() -> None:
    assert line_credits("（记者 阿依古丽·买买提）") == c("记者", "阿依古丽·买买提")
    assert line_credits("本报特约记者 赵六") == c("记者", "赵六")
    # A sentence that starts with 记者 is not a byline: no "names" out of it.
    assert byline_credits("（记者来到现场看到的情况）") == []


def test_dedupe_keeps_first_order() -> None:
    credits = c("记者", "甲", "乙") + c("记者", "甲") + c("责任编辑", "甲")
    assert dedupe(credits) == tuple(c("记者", "甲", "乙") + c("责任编辑", "甲"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The credit block closing video and feature pages: credits, never body paragraphs.
        ("制片：张某", c("制片", "张某")),
        ("编导：李某某　配音：王某", c("编导", "李某某") + c("配音", "王某")),
        (
            "策划：赵某 统筹：钱某 监制：孙某",
            c("策划", "赵某") + c("统筹", "钱某") + c("监制", "孙某"),
        ),
        ("摄像：周某 剪辑：吴某", c("摄像", "周某") + c("剪辑", "吴某")),
        ("新华社音视频部出品", c("出品", "新华社音视频部")),
        ("新华网 出品", c("出品", "新华网")),
        # A byline paragraph of its own at the top of an old page: outlet, role, names.
        ("新华网吉林频道 记者 王某 李某某", c("记者", "王某", "李某某")),
    ],
)
def test_credit_block_lines(text: str, expected: list[Credit]) -> None:
    assert is_credit_only(text)
    assert line_credits(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("……该线路于今年年底正式投入运营。（张某某）", c("作者", "张某某")),
        ("……已全部完工。（张三 李四）", c("作者", "张三", "李四")),
        ("……正式投入运营。（完）", []),
        ("……（待续）", []),
        ("……（据新华社）", []),
        ("……（新华网）", []),
        ("……（受访者供图）", []),
        ("……（记者 张三）", []),  # a byline with its role: byline_credits reads it
        ("（张某某）正式投入运营。", []),  # only at the very end
    ],
)
def test_a_bare_name_closing_the_article_is_its_author(text: str, expected: list[Credit]) -> None:
    assert closing_credits(text) == expected
