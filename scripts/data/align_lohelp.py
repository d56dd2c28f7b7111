#!/usr/bin/env python3
"""Reference aligner for LibreOffice help pages (docs/datasets.md section 3a), stdlib only.

Pairs the text of every element whose id starts with par_id/hd_id/bm_id by (relative file
path, id) across two language trees; whitespace is normalised and identical pairs are skipped.
The Swift `LibreOfficeHelpAligner` mirrors this; the script is kept to cross-check it.

usage: align_lohelp.py SRC_TREE TGT_TREE OUT_PREFIX   # writes OUT_PREFIX.src / OUT_PREFIX.tgt
"""
import os
import re
import sys
from html.parser import HTMLParser


class P(HTMLParser):
  def __init__(self):
    super().__init__(convert_charrefs=True)
    self.stack = []
    self.out = {}

  def handle_starttag(self, tag, attrs):
    if tag in ("br", "img", "input", "meta", "link", "hr"):
      return
    i = dict(attrs).get("id") or ""
    keep = re.match(r"(par_id|hd_id|bm_id)", i) and tag in (
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "td", "li", "div", "span")
    self.stack.append([tag, i if keep else None, [] if keep else None])

  def handle_endtag(self, tag):
    for j in range(len(self.stack) - 1, -1, -1):
      if self.stack[j][0] == tag:
        for t in self.stack[j:]:
          if t[1]:
            txt = re.sub(r"\s+", " ", "".join(t[2])).strip()
            if txt and t[1] not in self.out:
              self.out[t[1]] = txt
        del self.stack[j:]
        return

  def handle_data(self, d):
    for t in self.stack:
      if t[2] is not None:
        t[2].append(d)


def parse(fn):
  p = P()
  p.feed(open(fn, encoding="utf-8", errors="replace").read())
  return p.out


def main():
  src, tgt, out = sys.argv[1:4]
  n = 0
  with open(out + ".src", "w") as fs, open(out + ".tgt", "w") as ft:
    for root, dirs, files in os.walk(src):
      dirs.sort()
      for f in sorted(files):
        if not f.endswith(".html"):
          continue
        a_path = os.path.join(root, f)
        b_path = os.path.join(tgt, os.path.relpath(a_path, src))
        if not os.path.exists(b_path):
          continue
        a, b = parse(a_path), parse(b_path)
        for k, v in a.items():
          if k in b and v != b[k]:
            fs.write(v + "\n")
            ft.write(b[k] + "\n")
            n += 1
  print(n)


if __name__ == "__main__":
  main()
