#!/usr/bin/env python3
"""Writes an HTML report of an mkspy-evolve run from what mkspy-evolve decided: its `--explain`
records (a `search` record, then one `explain` record per candidate). It draws them and derives
no decision of its own. Standard library only; one file with inline SVG, so it opens offline.

    mkspy-evolve --explain --train T --val V archive.jsonl | report.py [--title TEXT] [--test SCORED.jsonl] [--out report.html]

--test names mkspy-score output that scored the best candidate on more data (the test set): its
`summary.data` tallies are shown beside the best program.
"""

import argparse
import difflib
import html
import json
import sys

STATUS_COLORS = {"complete": "#2da44e", "pending": "#8c959f", "climbing": "#1f6feb", "probing": "#54aeff",
                 "dropped": "#bf8700", "beaten": "#8250df", "rejected": "#cf222e", "refused": "#6e7781"}
STATUS_TEXT = {"complete": "fully evaluated on val", "pending": "pending", "climbing": "climbing on train",
               "probing": "probing more train", "dropped": "dropped at a val stage", "beaten": "beaten on train by its own child",
               "rejected": "rejected at its gate", "refused": "refused by mkspy-check or mkspy-score"}


def esc(text):
    return html.escape(str(text), quote=True)


def short(cid):
    return cid[:8]


def number(x, digits=3):
    return "–" if x is None else f"{x:.{digits}f}"


def read_records(path):
    stream = sys.stdin if path == "-" else open(path, encoding="utf-8")
    with stream:
        return [json.loads(line) for line in stream if line.strip()]


def word_diff(old, new):
    a, b = old.split(), new.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(esc(" ".join(a[i1:i2])))
        if op in ("delete", "replace"):
            out.append(f"<del>{esc(' '.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            out.append(f"<ins>{esc(' '.join(b[j1:j2]))}</ins>")
    return " ".join(out)


def changes(child, parent):
    """HTML items describing how each module of `child`'s genome differs from `parent`'s."""
    items = []
    cg, pg = child.get("genome") or {}, parent.get("genome") or {}
    for name in sorted(cg):
        m, p = cg[name], pg.get(name)
        if p is None or m == p:
            continue
        parts = []
        if m.get("strategy") != p.get("strategy"):
            parts.append(f"strategy <code>{esc(p.get('strategy'))}</code> → <code>{esc(m.get('strategy'))}</code>")
        if m.get("instruction") != p.get("instruction"):
            parts.append(f"instruction: <div class=diff>{word_diff(p.get('instruction', ''), m.get('instruction', ''))}</div>")
        old, new = p.get("demos") or [], m.get("demos") or []
        parts += [f"demo added: <code>{esc(json.dumps(d, ensure_ascii=False))}</code>" for d in new if d not in old]
        parts += [f"demo removed: <code>{esc(json.dumps(d, ensure_ascii=False))}</code>" for d in old if d not in new]
        if m.get("fields") != p.get("fields"):
            parts.append("field descriptions changed")
        items.append(f"<li><b>{esc(name)}</b>: " + "; ".join(parts) + "</li>")
    return items


def calls_svg(search, cands, width=720, height=300):
    """Every candidate on the metric-calls axis: a dot at its val mean when it ran val (filled when
    fully evaluated, hollow when partly), a tick below the axis when it ran train only; the best
    fully evaluated val mean so far as a step line."""
    total = max([search.get("metric_calls") or 0] + [c.get("last_at") or 0 for c in cands] + [1])
    pad, bottom = 48, 34
    sx = lambda x: pad + (width - 2 * pad) * x / total
    sy = lambda y: height - pad - bottom + 10 - (height - 2 * pad - bottom + 10) * y
    grid = "".join(f'<line x1="{pad}" x2="{width - pad}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" class=grid />'
                   f'<text x="{pad - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">{t:.2f}</text>' for t in (0, 0.25, 0.5, 0.75, 1.0))
    ticks = "".join(f'<text x="{sx(x):.1f}" y="{height - bottom + 14}" text-anchor="middle">{x}</text>'
                    for x in sorted({0, total, *(round(total * k / 4) for k in (1, 2, 3))}))
    line, best = [], None
    for c in sorted((c for c in cands if c["complete_at"] is not None), key=lambda c: c["complete_at"]):
        if best is None or c["val"]["mean"] > best:
            if best is not None:
                line.append(f'{sx(c["complete_at"]):.1f},{sy(best):.1f}')
            best = c["val"]["mean"]
            line.append(f'{sx(c["complete_at"]):.1f},{sy(best):.1f}')
    if line:
        line.append(f"{sx(total):.1f},{line[-1].split(',')[1]}")
    marks = []
    for c in cands:
        x = sx(c.get("last_at") or c.get("found_at") or 0)
        color = STATUS_COLORS.get(c["status"], "#8c959f")
        tip = (f'{c["id"]} ({c["origin"]}, generation {c["generation"]}): {c["status"]}; val {number(c["val"]["mean"])} '
               f'on {c["val"]["scored"]} of {c["val"]["of"]}' + (f'; {c["why"]}' if c.get("why") else ""))
        mark = f'class=cand data-id="{esc(c["id"])}" data-status="{esc(c["status"])}"'
        if c["val"]["scored"]:
            fill = color if c["complete_at"] is not None else "white"
            ring = ' stroke="#0969da" stroke-width="3"' if c["best"] else (' stroke="#1f2328" stroke-width="1.5"' if c["frontier"] else f' stroke="{color}" stroke-width="2"')
            marks.append(f'<circle {mark} cx="{x:.1f}" cy="{sy(c["val"]["mean"]):.1f}" r="{6 if c["best"] else 4.5}" fill="{fill}"{ring}>'
                         f'<title>{esc(tip)}</title></circle>')
        else:
            y = height - bottom - pad + 22
            marks.append(f'<line {mark} x1="{x:.1f}" x2="{x:.1f}" y1="{y:.1f}" y2="{y + 8:.1f}" stroke="{color}" stroke-width="2">'
                         f'<title>{esc(tip)}</title></line>')
    curve = f'<polyline class=best fill="none" stroke="#1f6feb" stroke-width="2" points="{" ".join(line)}" />' if line else ""
    return (f'<svg id=calls width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">{grid}{ticks}{curve}{"".join(marks)}'
            f'<text x="{width / 2}" y="{height - 4}" text-anchor="middle">metric calls (when each candidate was last scored)</text>'
            f'<text x="12" y="{(height - bottom) / 2}" transform="rotate(-90 12 {(height - bottom) / 2})" text-anchor="middle">val mean</text></svg>'
            '<p class=legend>Filled: fully evaluated on val; hollow: part of val (its mean so far); ticks below the axis: '
            'train only. Black ring: on the frontier; blue ring: the best. The line is the best val mean so far.</p>')


def lineage_svg(cands):
    by_id = {c["id"]: c for c in cands}
    gens = {}
    for c in cands:
        gens.setdefault(c["generation"], []).append(c)
    col_w, row_h, pad, half = 160, 40, 30, 64
    place = {}
    for g, members in gens.items():
        for i, c in enumerate(members):
            place[c["id"]] = (pad + half + g * col_w, pad + i * row_h)
    width = pad * 2 + (max(gens) + 1) * col_w
    height = pad * 2 + max(len(v) for v in gens.values()) * row_h
    edges = [f'<line x1="{place[p][0] + half}" y1="{place[p][1]}" x2="{place[c["id"]][0] - half}" y2="{place[c["id"]][1]}" class=edge />'
             for c in cands for p in c["parents"] if p in by_id]
    nodes = []
    for c in cands:
        x, y = place[c["id"]]
        mean = c["val"]["mean"]
        label = f'{short(c["id"])} {number(mean, 2) if c["val"]["scored"] else c["origin"]}' + (" ★" if c["frontier"] else "")
        stroke = ' stroke="#0969da" stroke-width="4"' if c["best"] else (' stroke="#1f2328" stroke-width="2"' if c["frontier"] else "")
        tip = f'{c["id"]}: {c["origin"]}, {STATUS_TEXT.get(c["status"], c["status"])}' + (f' ({c["why"]})' if c.get("why") else "")
        nodes.append(f'<g class=node data-id="{esc(c["id"])}" data-frontier="{str(c["frontier"]).lower()}" data-val="{"" if mean is None else f"{mean:.6f}"}">'
                     f'<title>{esc(tip)}</title><rect x="{x - half}" y="{y - 13}" width="{2 * half}" height="26" rx="5" '
                     f'fill="{STATUS_COLORS.get(c["status"], "#8c959f")}"{stroke} />'
                     f'<text x="{x}" y="{y + 4}" text-anchor="middle" fill="white">{esc(label)}</text></g>')
    legend = " ".join(f'<span style="color:{v}">■</span> {esc(STATUS_TEXT[k])}' for k, v in STATUS_COLORS.items())
    return (f'<svg id=lineage width="{width}" height="{height}" viewBox="0 0 {width} {height}">{"".join(edges)}{"".join(nodes)}</svg>'
            f'<p class=legend>{legend}. Columns are generations; a node shows its id and val mean (★: on the frontier); '
            'the best program is outlined in blue.</p>')


def example_table(search, cands):
    """Val examples × frontier candidates: each cell the score, with the metric's feedback."""
    frontier = [c for c in cands if c["frontier"]]
    if not frontier:
        return "<p>No candidate has run all of val yet.</p>"
    head = "".join(f'<th data-id="{esc(c["id"])}">{esc(short(c["id"]))}<br><small>{number(c["val"]["mean"])}</small></th>' for c in frontier)
    rows = []
    for eid in search["val"]:
        cells = []
        for c in frontier:
            entry = c["scores"].get(eid) or {}
            score = entry.get("score")
            shade = "#eee" if score is None else f"hsl({120 * score:.0f}, 60%, 88%)"
            cells.append(f'<td style="background:{shade}" title="{esc(entry.get("feedback", ""))}"><b>{number(score, 2)}</b>'
                         f'<div class=fb>{esc(entry.get("feedback", ""))}</div></td>')
        rows.append(f'<tr><th>{esc(eid)}</th>{"".join(cells)}</tr>')
    return f'<table id=examples><tr><th>val example</th>{head}</tr>{"".join(rows)}</table>'


def mutations(cands):
    """Every child that beat its parent on its gate, with what it changed from each parent."""
    by_id = {c["id"]: c for c in cands}
    out = []
    for c in cands:
        if c["status"] not in ("complete", "climbing", "probing", "beaten", "dropped") or not c["parents"]:
            continue
        parents = [by_id[p] for p in c["parents"] if p in by_id]
        items = []
        for p in parents:
            diff = changes(c, p)
            items += [f"<li>from {short(p['id'])}:<ul>{''.join(diff) or '<li>no change</li>'}</ul></li>"] if len(parents) > 1 else diff
        verdict = STATUS_TEXT.get(c["status"], c["status"]) + (f": val mean {number(c['val']['mean'])}" if c["val"]["scored"] else "")
        out.append(f'<section><h3>{esc(c["origin"])} {short(c["id"])} ← {", ".join(short(p["id"]) for p in parents)} '
                   f'<small>generation {c["generation"]}, {esc(verdict)}</small></h3><ul>{"".join(items) or "<li>no change in the genome</li>"}</ul></section>')
    return "".join(out) or "<p>None yet.</p>"


def best_block(search, cands, tested):
    best = next((c for c in cands if c["best"]), None)
    if best is None:
        return "<p>No candidate has been scored on every val example yet.</p>"
    text = (f'<p id=best>Best program: <code>{esc(best["id"])}</code> ({esc(best["origin"])}, generation {best["generation"]}), '
            f'val mean <b>{number(best["val"]["mean"])}</b> on {best["val"]["of"]} examples, fully evaluated after '
            f'{best["complete_at"]} metric calls.')
    for record in tested:
        if record.get("id") == best["id"]:
            for name, tally in sorted(((record.get("summary") or {}).get("data") or {}).items()):
                text += f' Scored on <code>{esc(name)}</code>: mean <b class=test>{number(tally.get("mean"))}</b> on {tally.get("scored")} examples.'
    text += "</p>"
    rows = "".join(f"<tr><td>{esc(n)}</td><td>{esc(m.get('strategy'))}</td><td><pre>{esc(m.get('instruction'))}</pre></td>"
                   f"<td>{len(m.get('demos') or [])}</td></tr>" for n, m in sorted(best["genome"].items()))
    return text + f"<table><tr><th>module</th><th>strategy</th><th>instruction</th><th>demos</th></tr>{rows}</table>"


def render(records, title, tested=()):
    search = next((r for r in records if r.get("kind") == "search"), None)
    cands = [r for r in records if r.get("kind") == "explain"]
    if search is None or not cands:
        raise ValueError("no explain records: give the output of mkspy-evolve --explain")
    counts = {k: sum(1 for c in cands if c["status"] == k) for k in STATUS_COLORS}
    spent = f'{search["metric_calls"]}' + (f' of {search["max_calls"]}' if search.get("max_calls") is not None else "")
    stop = (f'The search stopped: {esc(search["stop"])}.' if search.get("stop")
            else "The search had not reached a stopping rule when this was written (or the loop ended because mkspy-evolve proposed nothing more).")
    tally = ", ".join(f"{n} {STATUS_TEXT[k]}" for k, n in counts.items() if n)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #1f2328; }}
svg text {{ font: 11px system-ui, sans-serif; }} .grid {{ stroke: #d0d7de; }} .edge {{ stroke: #8c959f; }}
del {{ background: #ffebe9; color: #82071e; }} ins {{ background: #dafbe1; color: #116329; text-decoration: none; }}
.diff {{ margin: .3em 0 .6em; padding: .4em .6em; background: #f6f8fa; border-radius: 6px; }}
pre {{ white-space: pre-wrap; margin: 0; }} table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #d0d7de; padding: .3em .5em; vertical-align: top; }}
small, .legend {{ color: #57606a; font-weight: normal; }} .fb {{ font-size: 12px; color: #57606a; max-width: 22em; }}
.scroll {{ overflow-x: auto; }}
</style></head><body>
<h1>{esc(title)}</h1>
<p id=summary>{len(cands)} candidates, {spent} metric calls (scored candidate–example pairs){f', ${search["cost"]:.4f}' if search.get("cost") else ''}:
{esc(tally)}. {stop}</p>
{best_block(search, cands, tested)}
<h2>Every candidate against metric calls</h2>
{calls_svg(search, cands)}
<h2>Lineage</h2>
<div class=scroll>{lineage_svg(cands)}</div>
<h2>Val examples on the frontier</h2>
<p>Each frontier candidate's score and the metric's feedback on every val example.</p>
<div class=scroll>{example_table(search, cands)}</div>
<h2>Accepted mutations</h2>
<p>Every child that beat its parent on its minibatch, with what it changed from its parent (for a merge, from each
parent): instruction diffs, strategy changes, demos.</p>
{mutations(cands)}
</body></html>
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--title", default="mkspy-evolve run")
    ap.add_argument("--test", action="append", default=[], help="mkspy-score output that scored the best on test")
    ap.add_argument("--out", default="-")
    ap.add_argument("explain", nargs="?", default="-", help="mkspy-evolve --explain output (default: stdin)")
    args = ap.parse_args(argv)
    try:
        page = render(read_records(args.explain), args.title, [r for path in args.test for r in read_records(path)])
    except (OSError, ValueError) as exc:
        sys.exit(f"report.py: {exc}")
    if args.out == "-":
        sys.stdout.write(page)
    else:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(page)


if __name__ == "__main__":
    main()
