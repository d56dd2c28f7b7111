#!/usr/bin/env python3
"""Writes a small synthetic raw-data tree in the registry's layouts, for the smoke pipeline test.

    scripts/make_smoke_data.py OUT_DIR

OUT_DIR/raw/ receives what `make data` would fetch, at toy sizes and with made-up content:
  mnist/, fashion-mnist/  IDX gz files: 5600 training images (the last 5000 are prep's validation
                          hold-out) and 300 test images, 28x28, each class drawn as its own stroke
                          pattern plus noise, so a scorer can learn them;
  lohelp/{en-us,de,tr}/   LibreOffice-help-like html pages whose <p id="par_id..."> paragraphs are
                          parallel across languages (word-for-word from small made-up vocabularies);
  treebank-tr/            web.conllu and wiki.conllu with UPOS and dependency relations;
  silver-de/              lohelp.de.conllu, the German pages' sentences with UPOS tags.
Only the Python standard library is used; the output is the same on every run.
"""

import gzip
import os
import random
import struct
import sys

TRAIN_IMAGES = 5600
TEST_IMAGES = 300
SENTENCES = 400


def idx_images(pixels, count):
    return struct.pack(">IIII", 2051, count, 28, 28) + bytes(pixels)


def idx_labels(labels):
    return struct.pack(">II", 2049, len(labels)) + bytes(labels)


def glyph(label, rng, variant):
    """A 28x28 image: class `label` is a pair of strokes at class-specific places, jittered."""
    image = [0] * (28 * 28)
    dx, dy = rng.randint(-2, 2), rng.randint(-2, 2)
    row = 3 + 2 * label + dy
    col = 3 + (2 * label + 7 * variant) % 20 + dx
    for c in range(4, 24):
        r = min(27, max(0, row))
        image[r * 28 + c] = 255
    for r in range(4, 24):
        c = min(27, max(0, col))
        image[r * 28 + c] = 200
    for i in range(len(image)):
        if rng.random() < 0.03:
            image[i] = rng.randint(0, 255)
    return image


def write_image_set(folder, variant, rng):
    os.makedirs(folder, exist_ok=True)
    for prefix, count in (("train", TRAIN_IMAGES), ("t10k", TEST_IMAGES)):
        labels = [i % 10 for i in range(count)]
        rng.shuffle(labels)
        pixels = []
        for label in labels:
            pixels.extend(glyph(label, rng, variant))
        for name, payload in (("images-idx3", idx_images(pixels, count)), ("labels-idx1", idx_labels(labels))):
            with open(os.path.join(folder, f"{prefix}-{name}-ubyte.gz"), "wb") as f:
                f.write(gzip.compress(payload, mtime=0))
    with open(os.path.join(folder, "SOURCE.txt"), "w") as f:
        f.write("synthetic smoke-test images written by scripts/make_smoke_data.py\n")


ENGLISH = ["the", "cell", "contents", "are", "centered", "select", "a", "range", "of", "cells",
           "open", "menu", "choose", "format", "click", "button", "table", "sheet", "row", "column"]
GERMAN = ["der", "zelle", "inhalt", "wird", "zentriert", "wählen", "einen", "bereich", "von", "zellen",
          "öffnen", "menü", "auswählen", "format", "klicken", "schaltfläche", "tabelle", "blatt", "zeile",
          "spalte"]
TURKISH = ["hücre", "içerik", "ortalanır", "seçin", "bir", "aralık", "hücreler", "açın", "menü", "seçin",
           "biçim", "tıklayın", "düğme", "tablo", "sayfa", "satır", "sütun", "ve", "ile", "için"]
UPOS = ["DET", "NOUN", "NOUN", "AUX", "VERB", "VERB", "DET", "NOUN", "ADP", "NOUN",
        "VERB", "NOUN", "VERB", "NOUN", "VERB", "NOUN", "NOUN", "NOUN", "NOUN", "NOUN"]


def sentence_indices(rng):
    return [rng.randrange(len(ENGLISH)) for _ in range(rng.randint(4, 10))]


def page(sentences):
    paragraphs = "".join(f'<p id="par_id{i}" class="paragraph">{s}</p>\n' for i, s in enumerate(sentences))
    return f"<html><body>\n{paragraphs}</body></html>\n"


def write_text_sets(raw, rng):
    pages = [[sentence_indices(rng) for _ in range(SENTENCES // 4)] for _ in range(4)]
    for language, vocabulary in (("en-us", ENGLISH), ("de", GERMAN), ("tr", TURKISH)):
        for number, sentences in enumerate(pages):
            folder = os.path.join(raw, "lohelp", language, "text", "shared")
            os.makedirs(folder, exist_ok=True)
            lines = [" ".join(vocabulary[i] for i in s).capitalize() + " ." for s in sentences]
            with open(os.path.join(folder, f"page{number}.html"), "w", encoding="utf-8") as f:
                f.write(page(lines))

    def conllu(sentences, vocabulary, with_heads):
        out = []
        for n, s in enumerate(sentences):
            out.append(f"# sent_id = s{n}")
            out.append("# text = " + " ".join(vocabulary[i] for i in s))
            for j, i in enumerate(s):
                head, rel = (0, "root") if j == 0 else (1, "obj" if UPOS[i] == "NOUN" else "dep")
                if not with_heads:
                    head, rel = "_", "_"
                out.append(f"{j + 1}\t{vocabulary[i]}\t_\t{UPOS[i]}\t_\t_\t{head}\t{rel}\t_\t_")
            out.append("")
        return "\n".join(out) + "\n"

    treebank = os.path.join(raw, "treebank-tr")
    os.makedirs(treebank, exist_ok=True)
    for name in ("web", "wiki"):
        sentences = [sentence_indices(rng) for _ in range(150)]
        with open(os.path.join(treebank, f"{name}.conllu"), "w", encoding="utf-8") as f:
            f.write(conllu(sentences, TURKISH, with_heads=True))
    silver = os.path.join(raw, "silver-de")
    os.makedirs(silver, exist_ok=True)
    with open(os.path.join(silver, "lohelp.de.conllu"), "w", encoding="utf-8") as f:
        f.write(conllu([s for p in pages for s in p], GERMAN, with_heads=False))


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        # an option such as --help is not an output folder
        sys.exit("usage: make_smoke_data.py OUT_DIR (writes OUT_DIR/raw/...)")
    raw = os.path.join(sys.argv[1], "raw")
    rng = random.Random(7)
    write_image_set(os.path.join(raw, "mnist"), 0, rng)
    write_image_set(os.path.join(raw, "fashion-mnist"), 1, rng)
    write_text_sets(raw, rng)


if __name__ == "__main__":
    main()
