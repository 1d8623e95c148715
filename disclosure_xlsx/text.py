"""Every user-facing word in Chinese (the default) and English, as one kind of value.

A :class:`Text` holds both languages of one message, so a finding, a rule description or a
suggestion is built once and rendered in whichever language the user asked for. Interface
strings (headings, status words, CLI messages) live in :data:`UI`, one table, so a test can
render every one of them in English and fail on a Chinese character.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


class Text(NamedTuple):
    """One message in both languages."""

    zh: str
    en: str

    def __call__(self, lang: Lang = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def format(self, **fields: Any) -> Text:
        """Fill ``{name}`` placeholders; a field that is itself a Text gives each language its own."""
        zh = {k: v.zh if isinstance(v, Text) else v for k, v in fields.items()}
        en = {k: v.en if isinstance(v, Text) else v for k, v in fields.items()}
        return Text(self.zh.format(**zh), self.en.format(**en))

    def __add__(self, other: object) -> Text:
        if isinstance(other, Text):
            return Text(self.zh + other.zh, self.en + other.en)
        if isinstance(other, str):
            return Text(self.zh + other, self.en + other)
        return NotImplemented


def same(text: str) -> Text:
    """Text that reads the same in both languages (a cell address, a number, a label)."""
    return Text(text, text)


def join(parts: list[Text], zh: str = "、", en: str = ", ") -> Text:
    """Parts joined with each language's list separator."""
    return Text(zh.join(p.zh for p in parts), en.join(p.en for p in parts))


#: Interface strings, by key. Findings and suggestions carry their own Text values.
UI: dict[str, Text] = {
    # spec tree and value types
    "heading": Text("标题行", "heading"),
    "count": Text("非负整数", "non-negative integer"),
    "decimal": Text("非负数", "non-negative number"),
    "error": Text("错误", "error"),
    "warning": Text("提示", "warning"),
    "columns": Text("列：", "columns: "),
    "variant": Text("变体", "variant"),
    # statuses
    "ok": Text("通过", "ok"),
    "invalid": Text("有错误", "invalid"),
    "unreadable": Text("无法读取", "unreadable"),
    "skipped": Text("已跳过", "skipped"),
    # report headings
    "report.title": Text("政府信息公开工作情况统计表 校验报告", "Statistics table check report"),
    "report.summary": Text("汇总", "Summary"),
    "col.no": Text("序号", "No."),
    "col.file": Text("文件", "File"),
    "col.unit": Text("单位名称", "Department"),
    "col.status": Text("状态", "Status"),
    "col.errors": Text("错误", "Errors"),
    "col.warnings": Text("提示", "Warnings"),
    "col.template": Text("模板", "Template"),
    "col.sheet": Text("工作表", "Sheet"),
    "col.cell": Text("单元格", "Cell"),
    "col.item": Text("项目", "Item"),
    "col.problem": Text("问题", "Problem"),
    "col.details": Text("说明", "Details"),
    "col.found": Text("填报值", "Found"),
    "col.expected": Text("应为", "Expected"),
    "col.diff": Text("差额", "Diff"),
    "col.fix": Text("建议", "Suggestion"),
    "col.before": Text("原值", "Before"),
    "col.after": Text("新值", "After"),
    "col.why": Text("原因", "Why"),
    "items": Text("{n} 项", "cells: {n}"),
    "none": Text("没有发现问题。", "No problems found."),
    "empty": Text("（空）", "(empty)"),
    "unit.none": Text("（未填）", "(none)"),
    "counts": Text("错误 {errors}，提示 {warnings}", "errors: {errors}, warnings: {warnings}"),
    "totals": Text(
        "共 {files} 个：通过 {ok}，有错误 {invalid}，无法读取 {unreadable}，跳过 {skipped}",
        "files: {files} (ok: {ok}, invalid: {invalid}, unreadable: {unreadable}, "
        "skipped: {skipped})",
    ),
    "suggestion": Text("建议", "suggestion"),
    "skipped.line": Text("已跳过 {path}：{reason}", "skipped {path}: {reason}"),
    "duplicate.line": Text(
        "同一单位报回多份：{unit}（{paths}）", "one department, several returns: {unit} ({paths})"
    ),
    "validate.interrupted": Text(
        "已中断：已检查 {done}/{total} 个文件（报告只含已检查的）",
        "Interrupted: checked {done} of {total} files (the report holds only those)",
    ),
    # annotated copies
    "annot.title": Text("校验结果：{who}", "Check results: {who}"),
    "annot.intro": Text(
        "错误 {errors} 处，提示 {warnings} 处。点击单元格地址可跳到该格；"
        "红色为错误（必须改），黄色为提示（请核实）。",
        "Errors: {errors}, warnings: {warnings}. Click a cell address to jump to it; "
        "red is an error (must be fixed), yellow a warning (please check).",
    ),
    "annot.comment": Text("【{title}】{message}", "[{title}] {message}"),
    "annot.suggestion": Text("→ 建议：{fix}", "→ suggestion: {fix}"),
    "annot.written": Text("已写出批注副本：{path}", "annotated copy: {path}"),
    "annot.failed": Text("未能批注", "not annotated"),
    "annot.none": Text("没有需要批注的文件", "no file needed annotating"),
    "annot.interrupted": Text(
        "已中断：已写出 {n} 个批注副本", "Interrupted: {n} annotated copies written"
    ),
    # fix
    "fix.wrote": Text("已写入 {path}（改动 {n} 个单元格）", "Wrote {path} (cells changed: {n})"),
    "fix.after": Text("修正后的校验结果：", "The copy, validated:"),
    "fix.skipped": Text("未修改 {what}（合并单元格）", "not changed: {what} (a merged cell)"),
    "fill.note": Text("提示：", "note: "),
    # CLI
    "error.prefix": Text("错误：", "Error: "),
    "progress": Text("校验中", "checking"),
    "template.written": Text("已生成 {path}", "wrote {path}"),
    "roster.written": Text(
        "已为 {n} 个单位生成模板：{folder}（清单：{manifest}）",
        "wrote the departments' templates ({n}): {folder} (list: {manifest})",
    ),
    "roster.interrupted": Text(
        "已中断：已生成 {done}/{total} 个模板，清单只列出已生成的",
        "Interrupted: wrote {done} of {total} templates; the list names only those",
    ),
    "validate.none": Text(
        "没有找到要校验的工作簿（.xlsx .xlsm .xls .ods）",
        "no workbook to check (.xlsx .xlsm .xls .ods)",
    ),
    "report.written": Text("报告已写入 {path}", "report written to {path}"),
    "fill.written": Text(
        "已生成 {path}：填入 {filled} 项，留空 {blank} 项",
        "wrote {path}: items filled: {filled}, left blank: {blank}",
    ),
}


def ui(key: str, lang: Lang = "zh", **fields: Any) -> str:
    """The interface string ``key`` in ``lang``, with ``{name}`` placeholders filled."""
    text = UI[key]
    return (text.format(**fields) if fields else text)(lang)


# validate --previous, and the collection round (`campaign`): headings, status words, lines.
UI.update(
    {
        "validate.previous": Text(
            "--previous 只能与一个文件一起用（上一年度的表对应一个单位）",
            "--previous takes exactly one file to check (last year's return of one department)",
        ),
        "campaign.created": Text(
            "已建立收集轮次 {folder}：{n} 个单位，模板在 {templates}（轮次编号 {id}）",
            "created the round {folder}: {n} departments, templates in {templates} (round {id})",
        ),
        "campaign.previous": Text(
            "年度对比：上一轮在 {previous}", "year over year: last year's round is {previous}"
        ),
        "campaign.header": Text(
            "{title}　{year} 年度格式　截止日期 {deadline}",
            "{title} ({year} format, deadline {deadline})",
        ),
        "campaign.no_deadline": Text("未定", "none"),
        "campaign.col.versions": Text("版本", "Versions"),
        "campaign.col.received": Text("最近收到", "Last received"),
        "campaign.col.overdue": Text("逾期", "Overdue"),
        "campaign.overdue": Text("逾期", "overdue"),
        "campaign.unmatched": Text(
            "未匹配的文件（用 campaign assign 目录 文件 单位 指定）",
            "Unmatched returns (campaign assign DIR FILE DEPT)",
        ),
        "campaign.by.stamp": Text("按模板标识", "by stamp"),
        "campaign.by.sender": Text("按发件人", "by sender"),
        "campaign.by.name": Text("按单位名称", "by the name in the sheet"),
        "campaign.by.filename": Text("按文件名", "by file name"),
        "campaign.by.assigned": Text("人工指定", "assigned"),
        "campaign.recorded": Text(
            "收到 {source} → {department}（{how}）", "{source} → {department} ({how})"
        ),
        "campaign.unmatched.line": Text(
            "收到 {source}：未匹配，{reason}", "{source}: unmatched: {reason}"
        ),
        "campaign.duplicate": Text("重复 {source}：{note}", "duplicate {source}: {note}"),
        "campaign.skipped": Text("未收 {source}：{reason}", "not taken {source}: {reason}"),
        "campaign.assigned": Text(
            "已把 {file} 指定给 {department}：", "{file} assigned to {department}: "
        ),
        "campaign.status.written": Text("已写出收集情况表 {path}", "wrote the status list {path}"),
        "campaign.total.written": Text("已写出汇总表 {path}", "wrote the total {path}"),
        "campaign.total.included": Text(
            "计入汇总 {n} 个单位：{names}", "{n} departments included: {names}"
        ),
        "campaign.total.excluded": Text("未计入 {n} 个单位：", "not included ({n}):"),
        "campaign.total.consistent": Text(
            "汇总数满足表内全部规则。", "The sums meet every rule of the table."
        ),
        "campaign.total.inconsistent": Text(
            "注意：汇总数不满足表内规则（计入了有错误的单位？），见下：",
            "Note: the sums break rules of the table (returns with errors included?):",
        ),
    }
)


# The web page (`campaign serve`): the clerk's page, a department's page, the serve command.
UI.update(
    {
        "web.lang.other": Text("English", "中文"),
        "web.clerk.title": Text("收集情况", "Collection round"),
        "web.round.meta": Text(
            "{year} 年度格式　截止日期 {deadline}", "{year} format, deadline {deadline}"
        ),
        "web.login.title": Text("收集人登录", "Clerk sign-in"),
        "web.login.password": Text("口令", "Password"),
        "web.login.submit": Text("登录", "Sign in"),
        "web.login.hint": Text(
            "口令在第一次运行 campaign serve 时设置；忘记时用 campaign serve --new-password 重设。",
            "The password was set by the first campaign serve; "
            "campaign serve --new-password sets a new one.",
        ),
        "web.login.wrong": Text("口令不对", "Wrong password"),
        "web.login.throttled": Text(
            "口令错误次数过多，请一分钟后再试", "Too many wrong passwords; try again in a minute"
        ),
        "web.logout": Text("退出", "Sign out"),
        "web.refresh": Text("这一轮有了新变化，正在刷新……", "The round changed; refreshing…"),
        "web.download.total": Text("下载全区汇总表", "Download the district total"),
        "web.download.status": Text("下载收集情况表", "Download the status list"),
        "web.file.total": Text("汇总.xlsx", "total.xlsx"),
        "web.file.status": Text("收集情况.xlsx", "status.xlsx"),
        "web.file.annotated": Text("{stem}_批注", "{stem}_annotated"),
        "web.upload.title": Text("上传收到的文件", "Upload returns"),
        "web.upload.hint": Text(
            "选择文件（可多选：工作簿、保存的 .eml 邮件、.zip），或把文件拖到这里。"
            "每个文件按 campaign collect 同样处理：存档、校验、匹配单位、登记。",
            "Choose files (several at once: workbooks, saved .eml e-mails, .zip), or drop them "
            "here. Each is taken exactly as campaign collect takes it: stored, checked, matched, "
            "recorded.",
        ),
        "web.upload.limits": Text(
            "每个文件不超过 {mb} MB，一次最多 {n} 个。",
            "At most {mb} MB a file and {n} files at once.",
        ),
        "web.upload.submit": Text("上传", "Upload"),
        "web.upload.result": Text("刚才上传的文件", "What was just uploaded"),
        "web.status.title": Text("各单位", "Departments"),
        "web.filter": Text("显示：", "Show: "),
        "web.filter.all": Text("全部", "all"),
        "web.filter.empty": Text("没有这种状态的单位。", "No department in this state."),
        "web.col.view": Text("查看", "View"),
        "web.col.version": Text("版本", "Version"),
        "web.col.matched": Text("匹配方式", "Matched"),
        "web.current": Text("当前", "current"),
        "web.report": Text("报告", "report"),
        "web.annotated": Text("批注副本", "annotated copy"),
        "web.history": Text("历史与链接", "history and link"),
        "web.original": Text("原文件", "original"),
        "web.unmatched.title": Text("未匹配的文件", "Unmatched returns"),
        "web.unmatched.none": Text("没有未匹配的文件。", "No unmatched returns."),
        "web.assign": Text("指定给", "Assign to"),
        "web.assign.submit": Text("指定", "Assign"),
        "web.back": Text("返回收集情况", "Back to the round"),
        "web.dept.line": Text(
            "联系人：{contact}　邮箱：{email}　电话：{phone}",
            "Contact: {contact} · e-mail: {email} · phone: {phone}",
        ),
        "web.link.title": Text("本单位的上传链接", "The department's upload link"),
        "web.link.hint": Text(
            "把这个地址发给该单位。持有它的人可以为该单位上传统计表并看到校验结果，看不到其他单位。",
            "Send this address to the department. Whoever holds it can upload the department's "
            "table and see its results, and nothing of other departments.",
        ),
        "web.link.none": Text("尚未发放链接。", "No link issued yet."),
        "web.link.revoked": Text("链接已于 {when} 停用。", "The link was revoked on {when}."),
        "web.link.issue": Text("发放链接", "Issue a link"),
        "web.link.reissue": Text(
            "重新发放（旧链接随即失效）", "Issue a new link (the old one stops working)"
        ),
        "web.link.revoke": Text("停用链接", "Revoke the link"),
        "web.history.title": Text("收到的各个版本", "Versions received"),
        "web.history.none": Text("还没有收到这个单位的文件。", "Nothing received from it yet."),
        "web.own.deadline": Text("截止日期：{deadline}", "Deadline: {deadline}"),
        "web.own.state": Text("本单位状态：", "Your state: "),
        "web.own.current": Text(
            "当前版本：{name}（{when} 收到）", "current version: {name} (received {when})"
        ),
        "web.own.template": Text("下载本单位的模板", "Download your template"),
        "web.own.upload": Text("上传填好的统计表", "Upload your filled-in table"),
        "web.own.hint": Text(
            "选择填好的文件后点“上传”（也可以把文件拖到这里），校验结果会马上显示在下面。",
            "Choose the filled-in file and press Upload (or drop it here); "
            "the check results show below at once.",
        ),
        "web.own.received": Text(
            "已收到 {name}：{status}（{counts}）", "received {name}: {status} ({counts})"
        ),
        "web.own.duplicate": Text(
            "{name} 与已收到的文件内容相同，不重复登记",
            "{name} is the same as a file received before",
        ),
        "web.own.elsewhere": Text(
            "已收到 {name}，但无法确认是本单位的统计表；请用本单位的模板填写后重新上传，或联系收集人",
            "received {name}, but it could not be confirmed as your table; fill in your own "
            "template and upload it again, or contact the clerk",
        ),
        "web.own.skipped": Text("未收 {name}：{reason}", "not taken {name}: {reason}"),
        "web.own.report": Text("校验结果：{name}", "Check results: {name}"),
        "web.own.passed": Text(
            "通过：没有错误，不需要再改。", "Passed: no errors, nothing to fix."
        ),
        "web.own.fix": Text(
            "请按下表修改后重新上传（红色为错误，必须改；黄色为提示，请核实）。",
            "Please fix the cells below and upload again (red: an error to fix; "
            "yellow: a warning to check).",
        ),
        "web.own.annotated": Text(
            "下载批注副本（问题单元格已标色并加批注）", "Download the annotated copy"
        ),
        "web.own.printable": Text("可打印的报告", "Printable report"),
        "web.error.400": Text("请求无法处理", "The request cannot be handled"),
        "web.error.403": Text(
            "表单已过期，或不是从本页面提交的；请刷新页面后重试",
            "The form has expired or did not come from this page; reload it and try again",
        ),
        "web.error.404": Text("页面不存在", "Not found"),
        "web.error.413": Text(
            "上传的内容太大：每个文件不超过 {mb} MB，一次最多 {files} 个，合计不超过 {total_mb} MB",
            "The upload is too large: at most {mb} MB a file, {files} files and {total_mb} MB at once",
        ),
        "web.serve.clerk": Text("收集人页面：{url}", "The clerk's page: {url}"),
        "web.serve.links": Text(
            "各单位的上传链接：campaign status {folder} --links",
            "The departments' links: campaign status {folder} --links",
        ),
        "web.serve.stop": Text("按 Ctrl+C 停止。", "Press Ctrl+C to stop."),
        "web.serve.stopped": Text("已停止。", "Stopped."),
        "web.upload.checking": Text("已上传，正在校验……", "Uploaded; checking…"),
        "web.serve.exposed": Text(
            "注意：服务在 {host} 上监听，同一网络中的其他电脑都能访问这些页面。"
            "收集人页面要口令，单位页面要各自的链接；请只在可信的内部网络中这样使用。",
            "Warning: listening on {host}, so other computers on the network can reach these "
            "pages. The clerk's page needs the password and each department page its link; do "
            "this on a trusted office network only.",
        ),
        "web.serve.password.prompt": Text(
            "设置收集人口令（至少 8 个字符；直接回车则自动生成）",
            "Set the clerk's password (at least 8 characters; Enter to generate one)",
        ),
        "web.serve.password.generated": Text(
            "收集人口令（只显示这一次，请记下；忘记时用 --new-password 重设）：",
            "The clerk's password (shown only now; --new-password sets a new one):",
        ),
        "web.serve.password.set": Text("已设置收集人口令。", "The clerk's password is set."),
        "web.serve.missing": Text(
            "网页功能需要 starlette、uvicorn、jinja2 和 python-multipart：pip install disclosure-xlsx",
            "the web page needs starlette, uvicorn, jinja2 and python-multipart: "
            "pip install disclosure-xlsx",
        ),
        "campaign.links.none": Text("（已停用）", "(revoked)"),
        "campaign.links.title": Text(
            "各单位的上传链接（持有链接即可为该单位上传，请分别发送）",
            "The departments' upload links (whoever holds one can upload for that department)",
        ),
    }
)


# e-mail for the round (`campaign send`, `fetch`, `reply`; issue 13)
UI.update(
    {
        "mail.kind.notice": Text("通知", "notice"),
        "mail.kind.reply": Text("退回修改", "reply"),
        "mail.kind.reminder": Text("催报", "reminder"),
        "mail.sent": Text(
            "已发送 {department}（{kind}）→ {to}", "sent {department} ({kind}) → {to}"
        ),
        "mail.draft": Text(
            "已写出草稿 {file}（{department}，{kind}）", "draft {file} ({department}, {kind})"
        ),
        "mail.failed": Text(
            "未发出 {department}（{kind}）：{reason}", "not sent {department} ({kind}): {reason}"
        ),
        "mail.not_sent": Text("未发 {department}（{kind}）", "not sent {department} ({kind})"),
        "mail.no_address": Text(
            "未发 {department}（{kind}）：{reason}", "not sent {department} ({kind}): {reason}"
        ),
        "mail.refused": Text(
            "以下地址被拒收：{refused}", "these addresses were refused: {refused}"
        ),
        "mail.stopped": Text(
            "发信中止，其余未发：{reason}", "sending stopped, the rest not sent: {reason}"
        ),
        "mail.nothing": Text(
            "没有要发的邮件（已发过的不再发；如需重发请加 --again）",
            "nothing to send (what was sent is not sent again; add --again to resend)",
        ),
        "mail.password": Text("{account} 的密码", "password of {account}"),
        "mail.ssl_and_starttls": Text(
            "--ssl 和 --starttls 只能选一个", "give --ssl or --starttls, not both"
        ),
        "mail.drafts_and_smtp": Text(
            "--drafts 和 --smtp 只能选一个", "give --drafts or --smtp, not both"
        ),
        "mail.progress": Text("收信中", "reading mail"),
        "mail.fetch.note": Text("邮件 {message}：{note}", "mail {message}: {note}"),
        "mail.fetch.moved": Text(
            "已把收下的 {n} 封邮件移到“{folder}”", "moved the {n} messages taken to '{folder}'"
        ),
        "mail.fetch.copied": Text(
            "服务器不支持移动：{n} 封邮件已复制到“{folder}”，原邮件仍在原处",
            "the server cannot move mail: {n} messages copied to '{folder}', the originals "
            "are still there",
        ),
        "mail.fetch.created": Text(
            "已在邮箱里新建文件夹“{folder}”", "created the folder '{folder}' in the mailbox"
        ),
        "mail.written": Text(
            "已写出邮件文字和设置 {paths}，请检查后再发",
            "wrote the mail texts and settings {paths}; check them before sending",
        ),
    }
)
