"""Suggestions: what a blank or broken cell most likely should hold.

Four kinds of reasoning, all over the spec's rules as linear constraints (``RuleKind.linear``),
so a new template year gets them for free:

- forced values: a blank cell the filled cells determine (the last blank part of a sum, or parts
  that must be 0 because the filled parts already reach the total);
- typo repair (after R's ``deductive::correct_typos``): a cell that sits only in broken equality
  rules, whose correct value is one keystroke away from what was typed;
- error localisation (Fellegi-Holt, as R's ``errorlocate``): the smallest set of cells whose change
  lets every error rule hold, found exactly by enumerating sets of 1-3 cells and testing each for
  feasibility (Fourier-Motzkin elimination: the sets are tiny);
- a number typed on a heading whose data row below is blank: move it.

Only error rules are used: warning rules are plausibility checks, not arithmetic facts. All of
it works over the spec's compiled rules (:mod:`..spec.system`), and the searches start only
from rules that broke: a typical return breaks none or one or two.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Literal

from ..numbers import plain_number
from ..spec import Spec
from ..spec.rules import EPS, Linear
from ..spec.system import CompiledRule, RuleSystem, components, holds_all, rule_system
from ..text import Lang, Text

FixKind = Literal["clean", "forced", "typo", "move", "unit", "locate", "ambiguous"]
#: Kinds that `fix` applies without --apply-suggestions: they only restate what the sheet says.
AUTOMATIC: frozenset[str] = frozenset({"clean", "forced"})
#: Error localisation looks at sets of up to this many cells.
MAX_CELLS = 3


@dataclass(frozen=True)
class Fix:
    """A suggested change: put ``value`` in ``cell`` (and empty the cells in ``clear``)."""

    kind: FixKind
    cell: str | None
    item: str | None
    value: int | float | None
    text: Text
    clear: tuple[str, ...] = ()
    options: tuple[Fix, ...] = ()  # the competing answers when kind is "ambiguous"

    def reason(self, lang: Lang = "zh") -> str:
        return self.text(lang)

    def to_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        out: dict[str, Any] = {
            "cell": self.cell,
            "value": self.value,
            "reason": self.reason(lang),
            "kind": self.kind,
        }
        if self.clear:
            out["clear"] = list(self.clear)
        if self.options:
            out["options"] = [o.to_dict(lang) for o in self.options]
        return out


@dataclass(frozen=True)
class Sheet:
    """The values the checks read, in the form repair reasons with."""

    spec: Spec
    numbers: Mapping[str, float]  # every item read as a number; a blank counts as 0
    blanks: frozenset[str]  # items left blank (empty or whitespace)
    cells: Mapping[str, str]  # item id -> A1 cell
    headings: Mapping[str, float]  # heading id -> number typed on it


@dataclass(frozen=True)
class Suggestions:
    forced: dict[str, Fix]  # blank item id -> its determined value
    by_rule: dict[int, Fix]  # rule index -> typo, localisation or "cannot tell"
    moves: dict[str, Fix]  # heading id -> where its number belongs


def suggest(sheet: Sheet, broken: Sequence[CompiledRule] | None = None) -> Suggestions:
    """Every suggestion for one sheet; ``broken``: the rules already found broken, if known."""
    system = rule_system(sheet.spec)
    if broken is None:
        broken = system.broken(sheet.numbers)
    errors = [c for c in broken if c.error]
    by_rule = _typos(sheet, system, errors) if errors else {}
    if errors:
        for index, fix in _localise(sheet, system, errors).items():
            by_rule.setdefault(index, fix)
    forced = _forced(sheet, system) if sheet.blanks else {}
    moves = _moves(sheet, system) if sheet.headings else {}
    return Suggestions(forced, by_rule, moves)


def _fits(system: RuleSystem, item_id: str, value: float) -> bool:
    """A value the cell may hold at all: not negative; whole for counts."""
    return value >= -EPS and (item_id not in system.counts or abs(value - round(value)) <= EPS)


def _show(value: float) -> int | float:
    return plain_number(round(value, 6))


# --- forced values -------------------------------------------------------------------------


def _forced(sheet: Sheet, system: RuleSystem) -> dict[str, Fix]:
    open_ = {i for i in sheet.blanks if i in sheet.numbers}
    if not open_:
        return {}
    known = {i: v for i, v in sheet.numbers.items() if i not in sheet.blanks}
    out: dict[str, Fix] = {}
    changed = True
    while changed:
        changed = False
        for compiled in system.errors:
            rule = compiled.rule
            for lin in compiled.linear:
                for item_id, value in _solve_blank(lin, known, open_).items():
                    trial = {**known, item_id: value}
                    if not _fits(system, item_id, value) or not holds_all(
                        system.rules_for(item_id), _with_blanks(sheet, trial)
                    ):
                        continue
                    known[item_id] = value
                    open_.discard(item_id)
                    changed = True
                    v = _show(value)
                    out[item_id] = Fix(
                        "forced",
                        sheet.cells[item_id],
                        item_id,
                        v,
                        Text(
                            f"可推算为 {v}（{rule.desc.zh}）",
                            f"can be inferred as {v} ({rule.desc.en})",
                        ),
                    )
    return out


def _with_blanks(sheet: Sheet, known: Mapping[str, float]) -> dict[str, float]:
    """Known values, with every still-open blank counted as 0 (as the checks count it)."""
    return {**{i: 0.0 for i in sheet.blanks if i in sheet.numbers}, **known}


def _solve_blank(lin: Linear, known: Mapping[str, float], open_: set[str]) -> dict[str, float]:
    """Values a linear constraint forces on its open (blank) cells, given the known ones."""
    if any(i not in known and i not in open_ for i, _ in lin.terms):
        return {}
    unknown = [(i, a) for i, a in lin.terms if i in open_]
    if not unknown:
        return {}
    rest = sum(a * known[i] for i, a in lin.terms if i in known)
    if lin.op == "==" and len(unknown) == 1:
        item_id, a = unknown[0]
        return {item_id: -rest / a}
    signs = {a > 0 for _, a in unknown}
    # All open cells pull one way and the filled cells already use up the room: all are 0.
    # (== with rest 0, or <= with positive coefficients and rest 0; every cell is >= 0.)
    if len(signs) == 1 and abs(rest) <= EPS and (lin.op == "==" or signs == {True}):
        return {i: 0.0 for i, _ in unknown}
    return {}


# --- typo repair ---------------------------------------------------------------------------


def keystroke(old: float, new: float) -> tuple[str, str] | None:
    """How ``new`` is one keystroke from ``old`` as typed: (zh, en) reason, or None."""
    if old == new or old == 0 or new == 0:  # 0 is a cell left at 0 (or meant to be): no slip
        return None
    if old == -new:
        return "正负号错误", "sign typed wrong"
    if (old < 0) != (new < 0) and new != 0:
        return None
    s, t = str(plain_number(abs(old))), str(plain_number(abs(new)))
    if len(s) == len(t):
        diff = [k for k in range(len(s)) if s[k] != t[k]]
        if len(diff) == 1:
            return "一位数字输错", "one digit wrong"
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1
        if swapped and s[diff[0]] == t[diff[1]] and s[diff[1]] == t[diff[0]]:
            return "相邻数字颠倒", "adjacent digits swapped"
        return None
    if len(s) == len(t) + 1 and any(s[:k] + s[k + 1 :] == t for k in range(len(s))):
        return "多输了一位数字", "one digit too many"
    if len(t) == len(s) + 1 and any(t[:k] + t[k + 1 :] == s for k in range(len(t))):
        return "漏输了一位数字", "one digit missing"
    return None


def _typos(sheet: Sheet, system: RuleSystem, broken: list[CompiledRule]) -> dict[int, Fix]:
    numbers = sheet.numbers
    broken_at = frozenset(broken)
    held = [c for c in system.usable(numbers, system.errors) if c not in broken_at]
    targets: dict[str, float | None] = {}  # item -> the value the broken rules ask of it
    in_held = frozenset().union(*(c.cells for c in held))
    out: dict[int, Fix] = {}
    for compiled in broken:
        if not any(lin.op == "==" for lin in compiled.linear):
            continue
        found: list[tuple[int, Fix]] = []  # (broken rules the repair mends, repair)
        for item_id in dict.fromkeys(compiled.items):
            if item_id in in_held or item_id in sheet.blanks:
                continue
            if item_id not in targets:
                targets[item_id] = _solve_one(item_id, numbers, system, broken_at)
            target = targets[item_id]
            if target is None or not _fits(system, item_id, target):
                continue
            how = keystroke(numbers[item_id], target)
            if how is None:
                continue
            trial = {**numbers, item_id: target}
            if not holds_all(system.rules_for(item_id), trial):
                continue
            v, old = _show(target), _show(numbers[item_id])
            mends = sum(item_id in c.cells for c in broken)
            found.append(
                (
                    mends,
                    Fix(
                        "typo",
                        sheet.cells[item_id],
                        item_id,
                        v,
                        Text(
                            f"{sheet.cells[item_id]} 可能应为 {v}（{how[0]}：填的是 {old}）",
                            f"{sheet.cells[item_id]} is probably {v} ({how[1]}: typed {old})",
                        ),
                    ),
                )
            )
        # A repair that mends several broken rules at once beats one that mends only this one.
        best = [fix for mends, fix in found if mends == max((m for m, _ in found), default=0)]
        if len(best) == 1:
            out[compiled.index] = best[0]
        elif best:
            out[compiled.index] = _cannot_tell(best, "使这项合计相符", "make this total hold")
    return out


def _solve_one(
    item_id: str,
    numbers: Mapping[str, float],
    system: RuleSystem,
    broken: frozenset[CompiledRule],
) -> float | None:
    """The one value of ``item_id`` that every broken equality containing it asks for."""
    targets = []
    for compiled in system.rules_for(item_id):  # in spec order, as the broken rules are
        if compiled not in broken:
            continue
        for lin in compiled.linear:
            coef = lin.coefs.get(item_id)
            if lin.op != "==" or coef is None:
                continue
            rest = sum([a * numbers[i] for i, a in lin.terms if i != item_id])
            targets.append(-rest / coef)
    if not targets or max(targets) - min(targets) > EPS:
        return None
    return targets[0]


def _cannot_tell(options: list[Fix], what_zh: str, what_en: str) -> Fix:
    """Several answers explain the same break equally well: say so, and list them."""
    zh = "，或 ".join(_change(o, "zh") for o in options)
    en = ", or ".join(_change(o, "en") for o in options)
    return Fix(
        "ambiguous",
        None,
        None,
        None,
        Text(
            f"无法确定是哪一格：{zh}，都能{what_zh}",
            f"cannot tell which cell: {en} would each {what_en}",
        ),
        options=tuple(options),
    )


def _change(fix: Fix, lang: Lang) -> str:
    if fix.cell is None:
        return fix.reason(lang)
    if fix.value is None:
        return f"改 {fix.cell}" if lang == "zh" else f"changing {fix.cell}"
    return f"{fix.cell} 改为 {fix.value}" if lang == "zh" else f"{fix.cell} -> {fix.value}"


# --- error localisation --------------------------------------------------------------------

Constraint = tuple[dict[str, float], float, str]  # coefficients, constant, "==" or "<="


def _localise(sheet: Sheet, system: RuleSystem, broken: list[CompiledRule]) -> dict[int, Fix]:
    """Fellegi-Holt per group of connected rules: breaks in unrelated parts are separate."""
    usable = system.usable(sheet.numbers, system.errors)
    groups = system.error_groups if usable is system.errors else components(usable)
    broken_at = set(broken)
    out: dict[int, Fix] = {}
    for group in groups:
        group_broken = [c for c in group if c in broken_at]
        if group_broken:
            fix = _localise_group(sheet, system, group, group_broken)
            out.update({c.index: fix for c in group_broken})
    return out


def _localise_group(
    sheet: Sheet,
    system: RuleSystem,
    group: tuple[CompiledRule, ...],
    broken: list[CompiledRule],
) -> Fix:
    lins = [lin for c in group for lin in c.linear]
    answers = _minimal_sets(sheet, system, group, broken, lins)
    if not answers:
        return Fix(
            "locate",
            None,
            None,
            None,
            Text(
                f"至少要改动 {MAX_CELLS + 1} 个单元格才能使这些合计都相符，请逐项核对",
                f"at least {MAX_CELLS + 1} cells must change for these totals to hold; check each",
            ),
        )
    if len(answers) > 1:
        # Equally small answers: a cell left blank is likelier wrong than one the department
        # filled in (the seed's blank C6 = 44 beats changing the 44 it typed in C11).
        most = max(sum(i in sheet.blanks for i in a) for a in answers)
        answers = [a for a in answers if sum(i in sheet.blanks for i in a) == most]
    if len(answers) > 1:
        options = [_suspects(sheet, system, lins, a) for a in answers[:6]]
        return _cannot_tell(options, "使各项校验都成立", "make every check hold")
    return _suspects(sheet, system, lins, answers[0])


def _minimal_sets(
    sheet: Sheet,
    system: RuleSystem,
    group: tuple[CompiledRule, ...],
    broken: list[CompiledRule],
    lins: list[Linear],
) -> list[tuple[str, ...]]:
    """Every smallest set of cells (up to MAX_CELLS) whose change lets all rules hold.

    A set must hit every broken rule (a broken rule with all its cells kept stays broken), so
    sets are grown by branching on the cells of the first broken rule not yet hit; a set that
    hits them all may still need cells of neighbouring rules, so it is padded with those.
    Exact, and fast even when a whole matrix is one connected group of rules.
    """
    order = system.order
    hits = [c.ordered for c in broken]
    touched = frozenset().union(*(c.cells for c in broken))
    pool = sorted(
        {i for c in group if not touched.isdisjoint(c.cells) for i in c.cells},
        key=order.__getitem__,
    )
    for size in range(1, MAX_CELLS + 1):
        found: set[frozenset[str]] = set()
        tried: set[frozenset[str]] = set()

        def grow(
            chosen: frozenset[str],
            size: int = size,
            found: set[frozenset[str]] = found,
            tried: set[frozenset[str]] = tried,
        ) -> None:
            if chosen in tried:
                return
            tried.add(chosen)
            open_rule = next((h for h in hits if not chosen.intersection(h)), None)
            if open_rule is None:
                for pad in combinations([i for i in pool if i not in chosen], size - len(chosen)):
                    cells = chosen.union(pad)
                    if cells not in found and _feasible(sheet, system, lins, set(cells)):
                        found.add(cells)
                return
            if len(chosen) < size:
                for cell in open_rule:
                    grow(chosen | {cell}, size, found, tried)

        grow(frozenset())
        if found:
            return sorted(
                (tuple(sorted(s, key=order.__getitem__)) for s in found),
                key=lambda cells: [order[i] for i in cells],
            )
    return []


def _suspects(sheet: Sheet, system: RuleSystem, lins: list[Linear], cells: tuple[str, ...]) -> Fix:
    where = Text("、".join(sheet.cells[i] for i in cells), ", ".join(sheet.cells[i] for i in cells))
    value = _pinned(lins, sheet.numbers, cells[0]) if len(cells) == 1 else None
    if value is not None and _fits(system, cells[0], value):
        v = _show(value)
        text = Text(
            f"最可能出错的是 {where.zh}：只改这一格（改为 {v}）即可使各项校验都成立",
            f"most likely wrong: {where.en}; changing it alone (to {v}) makes every check hold",
        )
    else:
        value = None
        text = Text(
            f"最可能出错的是 {where.zh}：改动这 {len(cells)} 格即可使各项校验都成立",
            f"most likely wrong: {where.en}; changing these {len(cells)} cells can make every "
            "check hold",
        )
    return Fix(
        "locate",
        sheet.cells[cells[0]] if len(cells) == 1 else None,
        cells[0] if len(cells) == 1 else None,
        None if value is None else _show(value),
        text,
    )


def _constraints(
    lins: list[Linear], numbers: Mapping[str, float], free: set[str]
) -> list[Constraint]:
    """Linear rules with the fixed cells filled in; only constraints on ``free`` remain."""
    out: list[Constraint] = []
    for lin in lins:
        coefs: dict[str, float] = {}
        const = 0.0
        for i, a in lin.terms:
            if i in free:
                coefs[i] = coefs.get(i, 0.0) + a
            else:
                const += a * numbers[i]
        out.append((coefs, const, lin.op))
    out.extend(({i: -1.0}, 0.0, "<=") for i in free)  # every cell is >= 0
    return out


def _feasible(sheet: Sheet, system: RuleSystem, lins: list[Linear], free: set[str]) -> bool:
    """Can the free cells take values (>= 0) that satisfy every constraint? Exact for <= 3 cells.

    A lone count cell must also have a whole number in its range; larger sets are tested over
    the reals (the rules' coefficients are all ±1, so whole answers exist in practice).
    """
    if len(free) == 1:
        (item_id,) = free
        low, high = _interval(lins, sheet.numbers, item_id)
        if item_id in system.counts:
            return math.ceil(low - EPS) <= high + EPS
        return low <= high + EPS
    return _eliminate(_constraints(lins, sheet.numbers, free), sorted(free)) is not None


def _interval(
    lins: list[Linear], numbers: Mapping[str, float], item_id: str
) -> tuple[float, float]:
    """The values a lone free cell may take, as [low, high] (empty when low > high).

    The constraints of ``_constraints(lins, numbers, {item_id})``, read term by term without
    building them (this runs for every candidate cell), the sums taken in the same order.
    """
    low, high = 0.0, float("inf")
    for lin in lins:
        a = const = 0.0
        for i, coef in lin.terms:
            if i == item_id:
                a += coef
            else:
                const += coef * numbers[i]
        if abs(a) <= EPS:
            if (lin.op == "==" and abs(const) > EPS) or const > EPS:
                return 1.0, 0.0
            continue
        bound = -const / a
        if lin.op == "==":
            low, high = max(low, bound), min(high, bound)
        elif a > 0:
            high = min(high, bound)
        else:
            low = max(low, bound)
    return max(low, 0.0), high  # the cell is >= 0 (the last constraint of _constraints)


def _pinned(lins: list[Linear], numbers: Mapping[str, float], item_id: str) -> float | None:
    """The single value a lone free cell must take, if the rules pin it down."""
    low, high = _interval(lins, numbers, item_id)
    return low if abs(high - low) <= EPS else None


def _eliminate(cons: list[Constraint], variables: list[str]) -> list[Constraint] | None:
    """Fourier-Motzkin: substitute equalities, then eliminate; None when infeasible."""
    cons = list(cons)
    for var in variables:
        eq = next((c for c in cons if c[2] == "==" and abs(c[0].get(var, 0.0)) > EPS), None)
        if eq is not None:
            cons.remove(eq)
            cons = [_substitute(c, var, eq) for c in cons]
            continue
        pos = [c for c in cons if c[0].get(var, 0.0) > EPS]
        neg = [c for c in cons if c[0].get(var, 0.0) < -EPS]
        rest = [c for c in cons if abs(c[0].get(var, 0.0)) <= EPS]
        for p in pos:
            for n in neg:
                ap, an = p[0][var], -n[0][var]
                coefs = {
                    k: p[0].get(k, 0.0) / ap + n[0].get(k, 0.0) / an
                    for k in set(p[0]) | set(n[0])
                    if k != var
                }
                rest.append((coefs, p[1] / ap + n[1] / an, "<="))
        cons = rest
    for coefs, const, op in cons:
        if any(abs(a) > EPS for a in coefs.values()):
            continue
        if (op == "==" and abs(const) > EPS) or (op == "<=" and const > EPS):
            return None
    return cons


def _substitute(c: Constraint, var: str, eq: Constraint) -> Constraint:
    """Replace ``var`` in ``c`` using the equality ``eq`` (which has a non-zero coefficient)."""
    a = c[0].get(var, 0.0)
    if abs(a) <= EPS:
        return c
    factor = a / eq[0][var]
    coefs = {
        k: c[0].get(k, 0.0) - factor * eq[0].get(k, 0.0) for k in set(c[0]) | set(eq[0]) if k != var
    }
    return coefs, c[1] - factor * eq[1], c[2]


# --- moved values --------------------------------------------------------------------------


def _moves(sheet: Sheet, system: RuleSystem) -> dict[str, Fix]:
    items = sheet.spec.items
    out: dict[str, Fix] = {}
    for n, heading in enumerate(items):
        if heading.id not in sheet.headings or heading.id not in sheet.cells:
            continue
        value = sheet.headings[heading.id]
        for child in items[n + 1 :]:
            if child.level <= heading.level:
                break
            if child.id not in sheet.blanks or not _fits(system, child.id, value):
                continue
            trial = {**sheet.numbers, child.id: value}
            if holds_all((c for c in system.rules_for(child.id) if c.error), trial):
                v, cell = _show(value), sheet.cells[child.id]
                out[heading.id] = Fix(
                    "move",
                    cell,
                    child.id,
                    v,
                    Text(
                        f"{v} 可能应填在 {cell}（{child.short_label}），请移过去并清空标题行",
                        f"{v} probably belongs in {cell} ({child.short_label}); move it there",
                    ),
                    clear=(sheet.cells[heading.id],),
                )
                break
    return out
