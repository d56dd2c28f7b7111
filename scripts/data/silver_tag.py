#!/usr/bin/env python3
"""Tag German text with the PyPI brill-postagger de_gsd tagger (NLTK BrillTagger trained on UD
German GSD, outputs UD UPOS) and write CoNLL-U (ID, FORM, UPOS; other columns "_").
These are silver (predicted) tags. Needs nltk (run from the venv that fetch_data.sh creates).

usage: silver_tag.py TAGGER.pkl TEXT_FILE OUT.conllu   # one paragraph per line
"""
import pickle
import re
import sys

TOKEN = re.compile(r"\w+(?:[-']\w+)*|[^\w\s]", re.UNICODE)


def main():
  model, text, out = sys.argv[1:4]
  with open(model, "rb") as f:
    tagger = pickle.load(f)
  n = 0
  with open(text, encoding="utf-8") as fin, open(out, "w", encoding="utf-8") as fout:
    for line in fin:
      tokens = TOKEN.findall(line.strip())
      if not tokens:
        continue
      fout.write(f"# sent_id = lohelp-de-{n + 1}\n# text = {line.strip()}\n")
      for i, (form, tag) in enumerate(tagger.tag(tokens), start=1):
        fout.write(f"{i}\t{form}\t_\t{tag or 'X'}\t_\t_\t_\t_\t_\t_\n")
      fout.write("\n")
      n += 1
  print(n)


if __name__ == "__main__":
  main()
