"""Make exports/templates/deck.pptx, the deck template the package ships.

The template is the look of every deck: a 16:9 slide master with six named layouts
(Title, Section, Title and Content, Two Content, Activity, Join). Faculty may replace it
with their own .pptx that has layouts of the same names; docs/decks.md says which
placeholders each layout carries. Run this script again after changing the look:

    .venv/bin/python tools/make_deck_template.py
"""

from __future__ import annotations

import copy
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Emu, Inches

OUT = Path(__file__).resolve().parent.parent / "exports" / "templates" / "deck.pptx"

NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
}
XMLNS = f'xmlns:a="{NS["a"]}" xmlns:p="{NS["p"]}"'

TEAL = "12435A"
CORAL = "E07A5F"
SAND = "F4EFE6"
INK = "1F2A30"
GREY = "5B6770"
WHITE = "FFFFFF"

W = Emu(12192000)  # 13.333 in: 16:9
H = Inches(7.5)


def emu(inches: float) -> int:
    return int(Inches(inches))


def box(x: float, y: float, w: float, h: float) -> str:
    return f'<a:xfrm><a:off x="{emu(x)}" y="{emu(y)}"/><a:ext cx="{emu(w)}" cy="{emu(h)}"/></a:xfrm>'


def rpr(size: int, color: str, bold: bool = False) -> str:
    b = ' b="1"' if bold else ""
    return f'<a:defRPr sz="{size * 100}"{b}><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></a:defRPr>'


def level(
    n: int,
    size: int,
    color: str,
    *,
    bold: bool = False,
    bullet: str | None = None,
    align: str = "l",
    indent: float = 0.0,
) -> str:
    """An a:lvlNpPr: spacing, then the bullet, then the run defaults (schema order)."""
    if bullet:
        mar = f' marL="{emu(indent + 0.35)}" indent="-{emu(0.35)}"'
        bu = (
            f'<a:buClr><a:srgbClr val="{CORAL}"/></a:buClr><a:buFont typeface="Arial"/>'
            f'<a:buChar char="{bullet}"/>'
        )
    else:
        mar = f' marL="{emu(indent)}" indent="0"'
        bu = "<a:buNone/>"
    return (
        f'<a:lvl{n}pPr{mar} algn="{align}"><a:spcBef><a:spcPts val="{600 if n == 1 else 300}"/>'
        f"</a:spcBef>{bu}{rpr(size, color, bold)}</a:lvl{n}pPr>"
    )


def placeholder(
    shape_id: int,
    name: str,
    ph: str,
    geometry: str,
    levels: str,
    *,
    anchor: str = "t",
    prompt: str = "",
    autofit: bool = True,
) -> str:
    fit = "<a:normAutofit/>" if autofit else "<a:noAutofit/>"
    return (
        f'<p:sp {XMLNS}><p:nvSpPr><p:cNvPr id="{shape_id}" name="{name}"/>'
        '<p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr>'
        f"<p:nvPr>{ph}</p:nvPr></p:nvSpPr><p:spPr>{geometry}</p:spPr>"
        f'<p:txBody><a:bodyPr anchor="{anchor}" lIns="0" rIns="0">{fit}</a:bodyPr>'
        f"<a:lstStyle>{levels}</a:lstStyle>"
        f'<a:p><a:r><a:rPr lang="en-US"/><a:t>{prompt}</a:t></a:r></a:p></p:txBody></p:sp>'
    )


def rect(shape_id: int, geometry: str, color: str) -> str:
    return (
        f'<p:sp {XMLNS}><p:nvSpPr><p:cNvPr id="{shape_id}" name="Band {shape_id}"/><p:cNvSpPr/>'
        '<p:nvPr userDrawn="1"/></p:nvSpPr>'
        f'<p:spPr>{geometry}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        f'<a:solidFill><a:srgbClr val="{color}"/></a:solidFill><a:ln><a:noFill/></a:ln></p:spPr></p:sp>'
    )


def slide_number(shape_id: int, color: str) -> str:
    return (
        f'<p:sp {XMLNS}><p:nvSpPr><p:cNvPr id="{shape_id}" name="Slide number"/>'
        '<p:cNvSpPr txBox="1"/><p:nvPr userDrawn="1"/></p:nvSpPr>'
        f'<p:spPr>{box(11.9, 6.95, 0.9, 0.35)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        "<a:noFill/></p:spPr>"
        '<p:txBody><a:bodyPr lIns="0" rIns="0"/><a:lstStyle/><a:p><a:pPr algn="r"/>'
        '<a:fld id="{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}" type="slidenum">'
        f'<a:rPr lang="en-US" sz="1200"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></a:rPr>'
        "<a:t>‹#›</a:t></a:fld></a:p></p:txBody></p:sp>"
    )


def background(color: str) -> str:
    return (
        f'<p:bg {XMLNS}><p:bgPr><a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'
        "<a:effectLst/></p:bgPr></p:bg>"
    )


def title_levels(size: int, color: str) -> str:
    return level(1, size, color, bold=True)


BODY_LEVELS = level(1, 28, INK, bullet="•") + level(2, 24, GREY, bullet="–", indent=0.4)

LAYOUTS: dict[str, dict[str, object]] = {
    "Title": {
        "bg": TEAL,
        "shapes": [
            rect(20, box(0.9, 2.0, 1.3, 0.12), CORAL),
            placeholder(
                2,
                "Title",
                '<p:ph type="ctrTitle"/>',
                box(0.9, 2.3, 11.5, 1.7),
                title_levels(44, WHITE),
                anchor="b",
                prompt="Collaborative title",
            ),
            placeholder(
                3,
                "Subtitle",
                '<p:ph type="subTitle" idx="1"/>',
                box(0.9, 4.2, 11.5, 1.6),
                level(1, 24, "DCE7EC"),
                prompt="Learning session, date and venue",
            ),
        ],
    },
    "Section": {
        "bg": SAND,
        "shapes": [
            rect(20, box(0, 0, 0.35, 7.5), CORAL),
            placeholder(
                2,
                "Title",
                '<p:ph type="title"/>',
                box(1.0, 1.6, 11.3, 1.9),
                title_levels(40, TEAL),
                anchor="b",
                prompt="Module title",
            ),
            placeholder(
                3,
                "Text",
                '<p:ph type="body" idx="1"/>',
                box(1.0, 3.7, 11.3, 3.2),
                level(1, 24, GREY) + level(2, 22, INK, bullet="•"),
                prompt="Presenter, time and objectives",
            ),
            slide_number(30, GREY),
        ],
    },
    "Title and Content": {
        "bg": WHITE,
        "shapes": [
            rect(20, box(0, 0, 13.333, 0.14), TEAL),
            placeholder(
                2,
                "Title",
                '<p:ph type="title"/>',
                box(0.7, 0.35, 11.9, 1.0),
                title_levels(32, TEAL),
                anchor="b",
                prompt="Slide title",
            ),
            placeholder(
                3,
                "Content",
                '<p:ph idx="1"/>',
                box(0.7, 1.55, 11.9, 5.25),
                BODY_LEVELS,
                prompt="Text, a table or a picture",
            ),
            slide_number(30, GREY),
        ],
    },
    "Two Content": {
        "bg": WHITE,
        "shapes": [
            rect(20, box(0, 0, 13.333, 0.14), TEAL),
            placeholder(
                2,
                "Title",
                '<p:ph type="title"/>',
                box(0.7, 0.35, 11.9, 1.0),
                title_levels(32, TEAL),
                anchor="b",
                prompt="Slide title",
            ),
            placeholder(
                3, "Left content", '<p:ph idx="1"/>', box(0.7, 1.55, 5.8, 5.25), BODY_LEVELS, prompt="Text"
            ),
            placeholder(
                4,
                "Right content",
                '<p:ph idx="2"/>',
                box(6.85, 1.55, 5.8, 5.25),
                BODY_LEVELS,
                prompt="A picture or a table",
            ),
            slide_number(30, GREY),
        ],
    },
    "Activity": {
        "bg": SAND,
        "shapes": [
            rect(20, box(0, 0, 13.333, 0.14), CORAL),
            placeholder(
                5,
                "Kind",
                '<p:ph type="body" idx="15"/>',
                box(0.7, 0.3, 7.9, 0.45),
                level(1, 18, CORAL, bold=True),
                prompt="POLL · 3 MIN",
            ),
            placeholder(
                2,
                "Title",
                '<p:ph type="title"/>',
                box(0.7, 0.75, 7.9, 1.0),
                title_levels(32, TEAL),
                anchor="t",
                prompt="Activity title",
            ),
            placeholder(
                3,
                "Prompt",
                '<p:ph type="body" idx="1"/>',
                box(0.7, 1.9, 7.9, 5.0),
                level(1, 30, INK) + level(2, 26, INK, bullet="•"),
                prompt="The prompt and its options",
            ),
            placeholder(
                4,
                "Join QR",
                '<p:ph type="pic" idx="13"/>',
                box(9.35, 1.5, 3.3, 3.3),
                level(1, 14, GREY),
                prompt="Join QR code",
                autofit=False,
            ),
            placeholder(
                6,
                "Join link",
                '<p:ph type="body" idx="14"/>',
                box(8.9, 4.95, 4.2, 1.2),
                level(1, 18, TEAL, bold=True, align="ctr"),
                prompt="the join link",
            ),
            slide_number(30, GREY),
        ],
    },
    "Join": {
        "bg": TEAL,
        "shapes": [
            placeholder(
                2,
                "Title",
                '<p:ph type="title"/>',
                box(0.9, 0.5, 11.5, 1.1),
                title_levels(40, WHITE),
                anchor="b",
                prompt="Join the room",
            ),
            rect(21, box(0.9, 1.9, 5.0, 5.0), WHITE),
            placeholder(
                4,
                "Join QR",
                '<p:ph type="pic" idx="13"/>',
                box(1.1, 2.1, 4.6, 4.6),
                level(1, 14, GREY),
                prompt="Join QR code",
                autofit=False,
            ),
            placeholder(
                3,
                "Join text",
                '<p:ph type="body" idx="14"/>',
                box(6.5, 2.1, 6.2, 4.6),
                level(1, 28, WHITE) + level(2, 22, "DCE7EC"),
                anchor="ctr",
                prompt="The join link and how to join",
            ),
        ],
    },
}
SOURCES = {  # the default template's layouts we rebuild, by their original names
    "Title": "Title Slide",
    "Section": "Section Header",
    "Title and Content": "Title and Content",
    "Two Content": "Two Content",
    "Activity": "Comparison",
    "Join": "Picture with Caption",
}


def rebuild_layout(layout, name: str, spec: dict[str, object]) -> None:
    layout._element.cSld.set("name", name)
    c_sld = layout._element.cSld
    for old in c_sld.findall("p:bg", NS):
        c_sld.remove(old)
    c_sld.insert(0, etree.fromstring(background(str(spec["bg"]))))
    tree = layout.shapes._spTree
    for shape in list(tree):
        if shape.tag.endswith("}sp") or shape.tag.endswith("}pic"):
            tree.remove(shape)
    for xml in spec["shapes"]:  # type: ignore[attr-defined]
        tree.append(etree.fromstring(xml))


def style_master(prs) -> None:
    master = prs.slide_master
    tree = master.shapes._spTree
    for shape in master.placeholders:
        kind = shape.placeholder_format.type
        name = str(kind)
        if "TITLE" in name:
            shape.left, shape.top, shape.width, shape.height = (emu(0.7), emu(0.35), emu(11.9), emu(1.0))
        elif "BODY" in name:
            shape.left, shape.top, shape.width, shape.height = (emu(0.7), emu(1.55), emu(11.9), emu(5.25))
        else:  # date, footer, slide number: the layouts carry their own
            tree.remove(shape._element)
    styles = master._element.find("p:txStyles", NS)
    title = styles.find("p:titleStyle", NS)
    for child in list(title):
        title.remove(child)
    title.append(
        fragment(
            f'<a:lvl1pPr algn="l"><a:buNone/><a:defRPr sz="3200" b="1"><a:solidFill>'
            f'<a:srgbClr val="{TEAL}"/></a:solidFill><a:latin typeface="+mj-lt"/></a:defRPr></a:lvl1pPr>'
        )
    )
    body = styles.find("p:bodyStyle", NS)
    levels = list(body)
    for old, new in zip(levels[:2], fragments(BODY_LEVELS), strict=True):
        body.replace(old, new)


def fragments(xml: str) -> list:
    """Parse sibling a: elements written without namespace declarations."""
    return list(etree.fromstring(f"<a:wrap {XMLNS}>{xml}</a:wrap>"))


def fragment(xml: str):
    return fragments(xml)[0]


def style_theme(prs) -> None:
    theme_part = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(theme_part.blob)
    scheme = root.find(".//a:clrScheme", NS)
    scheme.set("name", "BSC Learning Session")
    colors = {
        "dk2": TEAL,
        "lt2": SAND,
        "accent1": TEAL,
        "accent2": CORAL,
        "accent3": "3D9970",
        "accent4": "F2CC8F",
        "accent5": "5B8E9F",
        "accent6": "81B29A",
    }
    for slot, value in colors.items():
        node = scheme.find(f"a:{slot}", NS)
        node.clear()
        etree.SubElement(node, f"{{{NS['a']}}}srgbClr", val=value)
    theme_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def main() -> None:
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(W), Emu(H)
    style_theme(prs)
    style_master(prs)
    by_name = {layout.name: layout for layout in prs.slide_layouts}
    keep = set()
    for name, source in SOURCES.items():
        layout = by_name[source]
        rebuild_layout(layout, name, LAYOUTS[name])
        keep.add(id(layout))
    for layout in list(prs.slide_layouts):
        if id(layout) not in keep:
            prs.slide_layouts.remove(layout)
    # Put the layouts in the order faculty meet them in the deck.
    ids = prs.slide_master._element.find("p:sldLayoutIdLst", NS)
    order = list(SOURCES)
    entries = {prs.slide_layouts[i].name: entry for i, entry in enumerate(list(ids))}
    for entry in list(ids):
        ids.remove(entry)
    for name in order:
        ids.append(copy.deepcopy(entries[name]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    prs.save(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
