"""Reads an mkspy report (report.html) with html.parser, as a browser would, and prints what it
shows as JSON: the lineage nodes (id, val, frontier), the marks on the calls chart (id, status),
the example table (its column ids and row names), the best program's id and test scores."""

import json
import sys
from html.parser import HTMLParser


class Report(HTMLParser):
    def __init__(self):
        super().__init__()
        self.nodes, self.marks, self.columns, self.rows, self.tests = [], [], [], [], []
        self.best, self.in_table, self.in_row_head, self.row_cells, self.in_test, self.in_best = None, False, False, 0, False, False
        self.svgs = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and a.get("id"):
            self.svgs.add(a["id"])
        if tag == "g" and a.get("class") == "node":
            self.nodes.append({"id": a["data-id"], "val": float(a["data-val"]) if a.get("data-val") else None,
                               "frontier": a["data-frontier"] == "true"})
        if a.get("class") == "cand":
            self.marks.append({"id": a["data-id"], "status": a["data-status"]})
        if tag == "table" and a.get("id") == "examples":
            self.in_table = True
        if self.in_table and tag == "th" and a.get("data-id"):
            self.columns.append(a["data-id"])
        if self.in_table and tag == "tr":
            self.row_cells = 0
            self.in_row_head = True
        if self.in_table and tag == "td":
            self.row_cells += 1
        if tag == "p" and a.get("id") == "best":
            self.in_best = True
        if tag == "b" and a.get("class") == "test":
            self.in_test = True

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_table = False
        if tag == "p":
            self.in_best = False
        if tag == "b":
            self.in_test = False
        if tag == "th":
            self.in_row_head = False

    def handle_data(self, data):
        if self.in_table and self.in_row_head and self.row_cells == 0 and data.strip() and not self.columns_pending(data):
            self.rows.append(data.strip())
        if self.in_test:
            self.tests.append(float(data))
        if self.in_best and self.best is None and len(data.strip()) == 16:
            self.best = data.strip()

    def columns_pending(self, data):
        return data.strip() == "val example" or any(data.strip() == c[:8] for c in self.columns)


report = Report()
report.feed(open(sys.argv[1], encoding="utf-8").read())
print(json.dumps({"svgs": sorted(report.svgs), "nodes": report.nodes, "marks": report.marks, "columns": report.columns,
                  "rows": report.rows, "best": report.best, "tests": report.tests}))
