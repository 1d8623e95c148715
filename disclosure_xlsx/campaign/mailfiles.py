"""The round's ``mail/`` folder: the texts and settings a clerk edits once, as ``init`` writes them.

``campaign init`` creates them with sensible defaults; the e-mail commands
(:mod:`disclosure_xlsx.mail`, one layer up, which reads and checks them) write any that are
missing, for a round made before they existed. Only text lives here: what the placeholders
mean, how the settings are read and how messages are built is the mail package's business.

- ``通知.txt``: the notice sent with each department's template (``campaign send``);
- ``退回.txt``: the reply to a return with errors, with the annotated copy (``campaign reply``);
- ``催报.txt``: the reminder to a department that has not returned by the deadline;
- ``设置.toml``: the mail servers, the sender and the office's contact person.

Each text starts with a line ``主题：…`` (the subject); ``{占位符}`` are filled per department.
"""

from __future__ import annotations

from pathlib import Path

from ..outputs import write_text

MAIL = "mail"
NOTICE, REPLY, REMINDER, SETTINGS = "通知.txt", "退回.txt", "催报.txt", "设置.toml"

_CONTACT = "\n    如有疑问，请联系{发文单位}{联系人}，电话 {联系电话}。"

#: What a reply's {附件说明} says: the annotated copy is attached, or (the file could not be
#: opened or annotated) the department's blank template.
ANNOTATED_NOTE = (
    "附件是标注了问题的表格：有错误的单元格标为红色，需要核实的标为黄色，第一张工作表“校验结果”"
    "列出了全部问题。请在贵单位原来的表格中修改（请勿修改表格结构），然后回复本邮件，"
    "把修改后的表格作为附件发回。"
)
TEMPLATE_NOTE = (
    "发来的文件无法打开或无法标注，附件是贵单位的空白统计表：请按上面的意见把数据填入附件表格"
    "（请勿修改表格结构），然后回复本邮件，把表格作为附件发回。"
)

DEFAULTS: dict[str, str] = {
    NOTICE: f"""主题：【{{标题}}】请报送统计表（{{单位名称}}）

{{单位名称}}：

    请贵单位填写附件中的统计表（{{附件名}}），于 {{截止日期}} 前直接回复本邮件，把填好的表格作为附件发回。

    填写要求：
    1. 直接在附件表格中填写，单位名称已经填好；
    2. 请勿修改表格结构：不要增删行列、合并或拆分单元格、改动项目名称或工作表名称；
    3. 每一项都填阿拉伯数字，没有发生的填 0，不要留空，不要填“无”“/”或文字；
    4. 保存为 Excel 文件（.xlsx）后作为附件发回；不要截图、转成 PDF、粘贴到正文，也不要压缩成 rar。

    表格收到后会自动校验，如有问题，我们会回复邮件，列出需要修改的单元格。
{_CONTACT}

{{发文单位}}
""",
    REPLY: f"""主题：【{{标题}}】请修改统计表（{{单位名称}}）

{{单位名称}}：

    收到贵单位 {{收到时间}} 报送的统计表（{{文件名}}），校验发现错误 {{错误数}} 处、提示 {{提示数}} 处，请按以下意见修改：

{{问题清单}}

    {{附件说明}}
{_CONTACT}

{{发文单位}}
""",
    REMINDER: f"""主题：【{{标题}}】催报统计表（{{单位名称}}）

{{单位名称}}：

    统计表的报送截止日期 {{截止日期}} 已过，我们还没有收到贵单位的表格。现将表格（{{附件名}}）再次发送，请尽快填写后回复本邮件，把表格作为附件发回。请勿修改表格结构。

    如果已经报送，请把当时的邮件再转发一次。
{_CONTACT}

{{发文单位}}
""",
    SETTINGS: """# 本轮收发邮件的设置：填写一次，campaign send、fetch、reply 都从这里读取。
# 密码不写在这里：命令运行时会提示输入（输入时不显示）；也可以先把密码放进一个环境变量，
# 再在下面 password_env 写上变量名（或运行时加 --password-env 变量名）。

[office]                # 通知里的“如有疑问，请联系……”
unit = ""               # 发文单位，如 "环翠区政务公开办"
name = ""               # 联系人，如 "王老师"
phone = ""              # 联系电话，如 "0631-5200000"

[smtp]                  # 发信：campaign send、campaign reply
host = ""               # 发信服务器，如 "smtp.qiye.163.com"；不填时可以用 --drafts 生成草稿
port = 0                # 0 表示按加密方式取默认：ssl 465，starttls 587，none 25
security = "ssl"        # ssl | starttls | none（内网转发服务器常用 none）
user = ""               # 登录用户名，通常就是邮箱地址；不填则不登录（内网转发服务器常是这样）
from = ""               # 发件人，如 "环翠区政务公开办 <gongkai@example.gov.cn>"；不填用 user
per_minute = 0          # 每分钟最多发几封（服务器限制发信频率时填，如 20）；0 表示不限
password_env = ""       # 放密码的环境变量名（可不填，运行时输入）
ca_file = ""            # 服务器用单位自建证书时，证书文件（.pem/.crt）的路径；Windows 路径
                        # 请用单引号，如 'D:\\证书\\mail.pem'；相对路径从本文件夹算起

[imap]                  # 收信：campaign fetch
host = ""               # 收信服务器，如 "imap.qiye.163.com"
port = 0                # 0 表示默认：ssl 993，starttls 或 none 143
security = "ssl"        # ssl | starttls | none
user = ""               # 登录用户名
folder = "INBOX"        # 从哪个文件夹收取（收件箱是 INBOX）
since = ""              # 只看这一天以后收到的邮件，如 "2026-03-01"；不填则看全部
move_to = ""            # 收下后把邮件移到这个文件夹，如 "已收报表"；不填则不移动、不删除
password_env = ""
ca_file = ""
""",
}


def mail_folder(folder: Path) -> Path:
    """The round's ``mail/`` folder."""
    return folder / MAIL


def write_mail_files(folder: Path) -> list[Path]:
    """Write each of the default files that the round's ``mail/`` folder lacks; the ones
    written, in order (an existing file, edited by the clerk, is never replaced)."""
    written = []
    for name, text in DEFAULTS.items():
        path = mail_folder(folder) / name
        if not path.exists():
            # NOTE: CRLF and a BOM, so that Notepad on older Chinese Windows shows the lines and
            # does not take the text for GBK; the mail package reads either form back
            write_text(path, "\ufeff" + text.replace("\n", "\r\n"), exclusive=True)
            written.append(path)
    return written
