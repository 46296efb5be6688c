#!/usr/bin/env python3
"""Writes an HTML report of an mkspy-evolve run from its archive: the best val score against
metric calls, the lineage tree, and what each accepted mutation changed (instruction diffs,
strategy changes, demos). Standard library only; the SVG is inline, so the file opens anywhere.

    report.py --val VAL.jsonl [--train TRAIN.jsonl] [--title TEXT] [--out report.html] ARCHIVE.jsonl...
"""

import argparse
import difflib
import hashlib
import html
import json
import sys


def example_ids(path):
    ids = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            given = record.pop("id", None)
            if isinstance(given, str):
                ids.append(given)
            elif isinstance(given, (int, float)) and not isinstance(given, bool):
                ids.append(json.dumps(given))
            else:  # mkspy's content hash is not reproduced here; such datasets need ids
                ids.append(hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:16])
    return ids


def replay(paths, val):
    """Candidates merged by id, and the curve (metric calls, best val mean) in archive order."""
    candidates, order, curve = {}, [], []
    calls, best = 0, None
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(record, dict) or record.get("kind") != "candidate" or "id" not in record:
                    continue
                cid = record["id"]
                if cid not in candidates:
                    candidates[cid] = {"record": record, "scores": {}, "complete_at": None}
                    order.append(cid)
                c = candidates[cid]
                c["record"] = record
                for eid, entry in (record.get("scores") or {}).items():
                    if isinstance(entry, dict) and isinstance(entry.get("score"), (int, float)) and eid not in c["scores"]:
                        c["scores"][eid] = entry
                        calls += 1
                if c["complete_at"] is None and val and all(e in c["scores"] for e in val):
                    c["complete_at"] = calls
                    c["mean"] = sum(c["scores"][e]["score"] for e in val) / len(val)
                    if best is None or c["mean"] > best:
                        best = c["mean"]
                        curve.append((calls, best, cid))
    return candidates, order, curve, calls


def gate(c, candidates):
    """True when a child beat its first parent on its minibatch, False when it did not, None
    when that is not known (seeds, merges, unscored)."""
    rec = c["record"]
    batch = (rec.get("evolve") or {}).get("minibatch")
    parents = rec.get("parents") or []
    if not batch or not parents or parents[0] not in candidates or rec.get("origin") == "merge":
        return None
    p = candidates[parents[0]]["scores"]
    if not all(e in c["scores"] for e in batch) or not all(e in p for e in batch):
        return None
    return sum(c["scores"][e]["score"] for e in batch) > sum(p[e]["score"] for e in batch)


def status(cid, candidates, kids, val):
    c = candidates[cid]
    if c["complete_at"] is not None:
        return "complete"
    rec = c["record"]
    if (rec.get("check") or {}).get("ok") is False or (rec.get("summary") or {}).get("ok") is False:
        return "refused"
    if gate(c, candidates) is False:
        return "rejected"
    ran_val = any(e in c["scores"] for e in val)
    if not ran_val and any(gate(candidates[k], candidates) for k in kids.get(cid, [])):
        return "climbed"
    if ran_val:
        return "dropped"
    return "pending"


def short(cid):
    return cid[:8]


def esc(text):
    return html.escape(str(text), quote=True)


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
    """HTML items describing how each module of `child` differs from `parent`."""
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
        added = [d for d in new if d not in old]
        removed = [d for d in old if d not in new]
        for d in added:
            parts.append(f"demo added: <code>{esc(json.dumps(d, ensure_ascii=False))}</code>")
        for d in removed:
            parts.append(f"demo removed: <code>{esc(json.dumps(d, ensure_ascii=False))}</code>")
        if m.get("fields") != p.get("fields"):
            parts.append("field descriptions changed")
        items.append(f"<li><b>{esc(name)}</b>: " + "; ".join(parts) + "</li>")
    return items


def curve_svg(curve, total, width=640, height=260):
    if not curve:
        return "<p>No candidate has been scored on all of val yet.</p>"
    pad = 44
    xmax = max(total, 1)
    ymin = min(0.0, min(s for _, s, _ in curve))
    sx = lambda x: pad + (width - 2 * pad) * x / xmax
    sy = lambda y: height - pad - (height - 2 * pad) * (y - ymin) / max(1e-9, 1 - ymin)
    points, prev = [], None
    for calls, score, _ in curve:
        if prev is not None:
            points.append(f"{sx(calls):.1f},{sy(prev):.1f}")
        points.append(f"{sx(calls):.1f},{sy(score):.1f}")
        prev = score
    points.append(f"{sx(xmax):.1f},{sy(prev):.1f}")
    ticks = "".join(
        f'<line x1="{pad}" x2="{width - pad}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" class=grid />'
        f'<text x="{pad - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">{t:.2f}</text>'
        for t in (0, 0.25, 0.5, 0.75, 1.0))
    xt = "".join(f'<text x="{sx(x):.1f}" y="{height - pad + 16}" text-anchor="middle">{x}</text>'
                 for x in sorted({0, xmax, *(c for c, _, _ in curve)}))
    dots = "".join(f'<circle cx="{sx(c):.1f}" cy="{sy(s):.1f}" r="3.5"><title>{short(cid)}: {s:.3f} after {c} calls</title></circle>'
                   for c, s, cid in curve)
    return (f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">{ticks}{xt}'
            f'<polyline fill="none" stroke="#1f6feb" stroke-width="2" points="{" ".join(points)}" />{dots}'
            f'<text x="{width / 2}" y="{height - 6}" text-anchor="middle">metric calls</text>'
            f'<text x="12" y="{height / 2}" transform="rotate(-90 12 {height / 2})" text-anchor="middle">best val mean</text></svg>')


COLORS = {"complete": "#2da44e", "climbed": "#1f6feb", "dropped": "#bf8700", "rejected": "#cf222e", "refused": "#6e7781",
          "pending": "#8c959f"}


def lineage_svg(candidates, order, states, best_id):
    gens = {}
    for cid in order:
        gens.setdefault(candidates[cid]["record"].get("generation", 0), []).append(cid)
    col, row_h, col_w, pad = {}, 34, 150, 30
    rows = max(len(v) for v in gens.values())
    for g, ids in gens.items():
        for i, cid in enumerate(ids):
            col[cid] = (pad + 52 + g * col_w, pad + i * row_h)  # 52: half a node box
    width = pad * 2 + (max(gens) + 1) * col_w
    height = pad * 2 + rows * row_h
    edges, nodes = [], []
    for cid in order:
        x, y = col[cid]
        for p in candidates[cid]["record"].get("parents") or []:
            if p in col:
                px, py = col[p]
                edges.append(f'<line x1="{px + 52}" y1="{py}" x2="{x - 52}" y2="{y}" class=edge />')
    for cid in order:
        x, y = col[cid]
        c = candidates[cid]
        rec = c["record"]
        label = rec.get("origin", "?")
        score = f' {c["mean"]:.2f}' if c.get("mean") is not None else ""
        stroke = ' stroke="#0969da" stroke-width="3"' if cid == best_id else ""
        nodes.append(f'<g><title>{esc(cid)} ({states[cid]})</title>'
                     f'<rect x="{x - 52}" y="{y - 11}" width="104" height="22" rx="5" fill="{COLORS[states[cid]]}"{stroke} />'
                     f'<text x="{x}" y="{y + 4}" text-anchor="middle" fill="white">{esc(label)}{score}</text></g>')
    legend = " ".join(f'<span style="color:{v}">■</span> {k}' for k, v in COLORS.items())
    return (f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}">{"".join(edges)}{"".join(nodes)}</svg>'
            f'<p class=legend>{legend}; columns are generations, the best program is outlined.</p>')


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--val", required=True)
    ap.add_argument("--train")
    ap.add_argument("--title", default="mkspy-evolve run")
    ap.add_argument("--out", default="-")
    ap.add_argument("archive", nargs="+")
    args = ap.parse_args(argv)
    val = example_ids(args.val)
    train = set(example_ids(args.train)) if args.train else set()
    candidates, order, curve, total = replay(args.archive, val)
    if not candidates:
        sys.exit("report.py: no candidates in the archive")
    kids = {}
    for cid in order:
        parents = candidates[cid]["record"].get("parents") or []
        if parents:
            kids.setdefault(parents[0], []).append(cid)
    states = {cid: status(cid, candidates, kids, val) for cid in order}
    complete = [cid for cid in order if candidates[cid].get("mean") is not None]
    best_id = None
    if complete:
        best_id = min(complete, key=lambda c: (-candidates[c]["mean"], candidates[c]["record"].get("generation", 0),
                                                order.index(c)))
    counts = {k: sum(1 for s in states.values() if s == k) for k in COLORS}
    mutations = []
    for cid in order:  # every child that beat its parent: fully evaluated, or a step of a climb
        if states[cid] not in ("complete", "climbed", "dropped"):
            continue
        rec = candidates[cid]["record"]
        parents = [p for p in rec.get("parents") or [] if p in candidates]
        if not parents:
            continue
        items = []
        for p in parents[:2]:
            diff = changes(rec, candidates[p]["record"])
            if len(parents) > 1:
                items.append(f"<li>from {short(p)}:<ul>{''.join(diff) or '<li>no change</li>'}</ul></li>")
            else:
                items += diff
        mean = candidates[cid].get("mean")
        if mean is not None:
            ancestor = parents[0]  # the nearest fully evaluated ancestor (a climb's steps have no val)
            while candidates[ancestor].get("mean") is None and (candidates[ancestor]["record"].get("parents") or [None])[0] in candidates:
                ancestor = candidates[ancestor]["record"]["parents"][0]
            base = max([candidates[p].get("mean") or 0 for p in parents[1:]] + [candidates[ancestor].get("mean") or 0])
            improved = mean - base
            verdict = (f"val mean {mean:.3f} ({'+' if improved >= 0 else ''}{improved:.3f} over its nearest evaluated ancestor), "
                       f"fully evaluated after {candidates[cid]['complete_at']} calls")
        elif states[cid] == "climbed":
            verdict = "beat its parent on its minibatch, then was beaten by its own child on train (no val paid)"
        else:
            verdict = "beat its parent on its minibatch, dropped at a val stage"
        mutations.append(
            f"<section><h3>{esc(rec.get('origin'))} {short(cid)} ← {', '.join(short(p) for p in parents)}"
            f" <small>generation {rec.get('generation')}: {verdict}</small></h3>"
            f"<ul>{''.join(items) or '<li>no change in the genome</li>'}</ul></section>")
    best_block = ""
    if best_id:
        b = candidates[best_id]
        best_block = (f"<p>Best program: <code>{esc(best_id)}</code> ({esc(b['record'].get('origin'))}, generation "
                      f"{b['record'].get('generation')}), val mean <b>{b['mean']:.3f}</b>, fully evaluated after "
                      f"{b['complete_at']} metric calls.</p>")
        genome = b["record"].get("genome") or {}
        rows = "".join(f"<tr><td>{esc(n)}</td><td>{esc(m.get('strategy'))}</td><td><pre>{esc(m.get('instruction'))}</pre></td>"
                       f"<td>{len(m.get('demos') or [])}</td></tr>" for n, m in sorted(genome.items()))
        best_block += f"<table><tr><th>module</th><th>strategy</th><th>instruction</th><th>demos</th></tr>{rows}</table>"
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{esc(args.title)}</title>
<style>
body {{ font: 15px/1.45 system-ui, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #1f2328; }}
svg text {{ font: 11px system-ui, sans-serif; }} .grid {{ stroke: #d0d7de; }} .edge {{ stroke: #8c959f; }}
del {{ background: #ffebe9; color: #82071e; }} ins {{ background: #dafbe1; color: #116329; text-decoration: none; }}
.diff {{ margin: .3em 0 .6em; padding: .4em .6em; background: #f6f8fa; border-radius: 6px; }}
pre {{ white-space: pre-wrap; margin: 0; }} table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #d0d7de; padding: .3em .5em; vertical-align: top; }}
small {{ color: #57606a; font-weight: normal; }} .legend {{ color: #57606a; }}
</style></head><body>
<h1>{esc(args.title)}</h1>
<p>{len(order)} candidates, {total} metric calls (scored candidate–example pairs);
{counts['complete']} fully evaluated on val, {counts['climbed']} beaten on train by their own child before val,
{counts['rejected']} rejected on their minibatch, {counts['dropped']} dropped at a val stage (or cut off by the budget),
{counts['refused']} refused by mkspy-check, {counts['pending']} pending.</p>
{best_block}
<h2>Best val score against metric calls</h2>
{curve_svg(curve, total)}
<h2>Lineage</h2>
{lineage_svg(candidates, order, states, best_id)}
<h2>Accepted mutations</h2>
<p>Every child that beat its parent on its minibatch, with what it changed from its parent (for a merge, from each
parent): instruction diffs, strategy changes, demos.</p>
{''.join(mutations) or '<p>None yet.</p>'}
</body></html>
"""
    if args.out == "-":
        sys.stdout.write(page)
    else:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(page)


if __name__ == "__main__":
    main()
