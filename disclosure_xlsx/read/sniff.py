"""What a file is, by its content: the workbook formats we read and everything people send
instead (a Word report, a PDF, a photo of the table, an archive, a web page saved as .xls).

The extension is only a claim: an .xls renamed .xlsx, a WPS .et, an .xlsx saved as .xls are
all read by what they hold. Anything else gets a one-line reason that says what it is.
"""

from __future__ import annotations

from pathlib import Path

from ..text import Text

#: Extensions of the workbook formats we read, and the format each one claims.
WORKBOOK_SUFFIXES: dict[str, str] = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xltx": "xlsx",
    ".xltm": "xlsx",
    ".xls": "xls",
    ".xlt": "xls",
    ".et": "xls",  # WPS 表格
    ".ett": "xls",  # WPS 表格模板
    ".ods": "ods",
    ".ots": "ods",
}
FORMAT_NAMES = {
    "xlsx": "Excel 工作簿（.xlsx）",
    "xls": "Excel 97-2003 / WPS 工作簿（.xls/.et）",
    "ods": "OpenDocument 电子表格（.ods）",
}
FORMAT_NAMES_EN = {
    "xlsx": "an Excel workbook (.xlsx)",
    "xls": "an Excel 97-2003 / WPS workbook (.xls/.et)",
    "ods": "an OpenDocument spreadsheet (.ods)",
}

_SAVE_AS = Text(
    "请在 Excel/WPS 中打开后另存为 .xlsx 再交", "open it in Excel/WPS and save it as .xlsx"
)
_WORD = Text(
    "这是 Word 文档，不是 Excel 工作簿；请把统计表复制到 Excel 后再交",
    "this is a Word document, not an Excel workbook; copy the table into Excel and send that",
)
_SLIDES = Text(
    "这是 PowerPoint 演示文稿，不是 Excel 工作簿；请交 Excel 格式的统计表",
    "this is a PowerPoint presentation, not an Excel workbook; send the table as an Excel file",
)
_PDF = Text(
    "这是 PDF 文件，不是 Excel 工作簿；请交 Excel 格式的统计表（不要转成 PDF）",
    "this is a PDF, not an Excel workbook; send the table as an Excel file (not a PDF)",
)


def _image(name: str) -> Text:
    return Text(
        f"这是图片（{name}），不是 Excel 工作簿；请交 Excel 格式的统计表，不要截图或拍照",
        f"this is an image ({name}), not an Excel workbook; send the table as an Excel file, "
        "not a screenshot or photo",
    )


def archive(name: str) -> Text:
    """The reason for an archive (zip, rar, 7z) handed in as a workbook."""
    return Text(
        f"这是压缩包（{name}），不是工作簿；请解压后分别提交其中的统计表",
        f"this is an archive ({name}), not a workbook; unpack it and send the tables inside",
    )


#: Reasons for the office documents that are not workbooks, by the kind :mod:`guard` finds.
OFFICE_KINDS: dict[str, Text] = {
    "docx": _WORD,
    "doc": _WORD,
    "odt": _WORD,
    "pptx": _SLIDES,
    "ppt": _SLIDES,
    "odp": _SLIDES,
    "xlsb": Text(
        "这是 Excel 二进制工作簿（.xlsb），本工具不读取；" + _SAVE_AS.zh,
        "this is an Excel binary workbook (.xlsb), which is not read here; " + _SAVE_AS.en,
    ),
    "msg": Text(
        "这是 Outlook 邮件文件，不是工作簿；请把邮件里的附件另存出来再交",
        "this is an Outlook message, not a workbook; save its attachment and send that",
    ),
}

_MAGIC: tuple[tuple[bytes, Text], ...] = (
    (b"%PDF", _PDF),
    (b"\x89PNG\r\n\x1a\n", _image("PNG")),
    (b"\xff\xd8\xff", _image("JPEG")),
    (b"GIF87a", _image("GIF")),
    (b"GIF89a", _image("GIF")),
    (b"II*\x00", _image("TIFF")),
    (b"MM\x00*", _image("TIFF")),
    (b"Rar!\x1a\x07", archive("RAR")),
    (b"7z\xbc\xaf\x27\x1c", archive("7z")),
    (b"\x1f\x8b", archive("gzip")),
    (b"PK\x05\x06", archive("ZIP")),
)


def other_content(head: bytes) -> Text | None:
    """The reason for a file that is neither a zip nor an OLE file, from its first bytes."""
    for magic, reason in _MAGIC:
        if head.startswith(magic):
            return reason
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return _image("WebP")
    if head.startswith(b"BM") and len(head) > 14 and head[6:10] == b"\0\0\0\0":
        return _image("BMP")
    text = _as_text(head)
    if text is None:
        return None
    start = text.lstrip("\ufeff \t\r\n").lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in start:
        return Text(
            "这是 Excel 2003 XML 表格，本工具不读取；" + _SAVE_AS.zh,
            "this is an Excel 2003 XML spreadsheet, which is not read here; " + _SAVE_AS.en,
        )
    if start.startswith(("<!doctype html", "<html", "<table", "<meta")) or "<html" in start[:512]:
        return Text(
            "这是网页（HTML）文件，只是扩展名像 Excel；" + _SAVE_AS.zh,
            "this is a web page (HTML) with a spreadsheet's name; " + _SAVE_AS.en,
        )
    if start.startswith("mime-version") or "multipart/related" in start[:512]:
        return Text(
            "这是单个网页文件（MHT），不是工作簿；" + _SAVE_AS.zh,
            "this is a saved web archive (MHT), not a workbook; " + _SAVE_AS.en,
        )
    return Text(
        "这是文本文件（CSV 或纯文本），不是工作簿；" + _SAVE_AS.zh,
        "this is a text file (CSV or plain text), not a workbook; " + _SAVE_AS.en,
    )


def _as_text(head: bytes) -> str | None:
    """The head as text if it looks like text (no NUL, decodes as UTF-8 or GB18030)."""
    if b"\0" in head.lstrip(b"\xff\xfe"):
        return None
    for encoding in ("utf-8", "gb18030"):
        try:
            return head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start > len(head) - 4:  # cut inside a multi-byte character
                return head[: exc.start].decode(encoding, "replace")
    return None


def extension_note(path: Path, fmt: str) -> Text | None:
    """A note when the file's extension does not say what its content is (``fmt``)."""
    suffix = path.suffix.lower()
    claimed = WORKBOOK_SUFFIXES.get(suffix)
    if claimed == fmt:
        return None
    shown = suffix or "（无）"
    return Text(
        f"扩展名 {shown} 与内容不符：这其实是{FORMAT_NAMES[fmt]}，已按实际格式读取；"
        "请改正扩展名，以免别人打不开",
        f"the extension {suffix or '(none)'} does not match the content: this is "
        f"{FORMAT_NAMES_EN[fmt]}, read as such; correct the name so others can open it",
    )
