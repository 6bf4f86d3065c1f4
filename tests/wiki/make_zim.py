#!/usr/bin/env python3
"""Builds a small test ZIM with Debian's zimwriterfs (zim-tools) for the wiki facts tests.

Articles: Lighthouse (with an infobox, footnotes and a main image), Eddystone Lighthouse,
Frankfurt am Main, Mercury (planet), Mercury (element), a "Mercury" disambiguation page, Planet,
Chemical element, and "Scripted article" that carries script injection attempts. Redirects:
"Pharos" -> Lighthouse, "Eddystone" -> Eddystone Lighthouse.

  make_zim.py OUT.zim                 the fixture above
  make_zim.py OUT.zim --extra N       plus N generated articles "Generated article 1..N"
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib


def png(width, height, rgb):
    """A solid-colour PNG (pure Python)."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def page(title, body):
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>"
            "<link rel=\"stylesheet\" href=\"style.css\"></head>\n<body><h1>%s</h1>\n%s\n</body></html>\n"
            % (title, title, body))


ARTICLES = {
    "Lighthouse.html": page("Lighthouse", """
<table class="infobox"><tr><td>Type</td><td>Tower</td></tr></table>
<figure><img src="I/Lighthouse.png" alt="A lighthouse" width="64" height="64"></figure>
<p></p>
<p>A <b>lighthouse</b> is a tower, building, or other type of physical structure designed to emit
light from a system of lamps and lenses and to serve as a <a href="Navigation.html">beacon for
navigational aid</a> for maritime pilots at sea or on inland waterways.<sup class="reference">[1]</sup>
Lighthouses mark dangerous coastlines &amp; hazardous shoals.</p>
<p>A second paragraph that is not part of the lead.</p>
"""),
    "Eddystone_Lighthouse.html": page("Eddystone Lighthouse", """
<p>The <b>Eddystone Lighthouse</b> is a lighthouse on the dangerous Eddystone Rocks, 9 statute
miles south of Rame Head in Cornwall, England.</p>
"""),
    "Frankfurt_am_Main.html": page("Frankfurt am Main", """
<p><b>Frankfurt am Main</b> is the most populous city in the German state of Hesse.</p>
"""),
    "Mercury_(planet).html": page("Mercury (planet)", """
<p><b>Mercury</b> is the first planet from the Sun and the smallest in the Solar System. Its orbit
around the Sun takes 87.97 Earth days.</p>
"""),
    "Mercury_(element).html": page("Mercury (element)", """
<p><b>Mercury</b> is a chemical element; it has symbol Hg and atomic number 80. It is a heavy,
silvery metal, the only one liquid at room temperature.</p>
"""),
    "Mercury.html": page("Mercury", """
<meta property="mw:PageProp/disambiguation">
<p><b>Mercury</b> may refer to:</p>
<ul>
<li><a href="Mercury_(planet).html" title="Mercury (planet)">Mercury (planet)</a>, the planet
closest to the Sun in the Solar System</li>
<li><a href="Mercury_(element).html" title="Mercury (element)">Mercury (element)</a>, a chemical
element, a liquid metal</li>
</ul>
<table id="disambigbox" class="metadata plainlinks dmbox dmbox-disambig"><tr><td>This
disambiguation page lists articles associated with the title Mercury.</td></tr></table>
"""),
    "Planet.html": page("Planet", """
<p>A <b>planet</b> is a large, rounded astronomical body that orbits a star such as the Sun.</p>
"""),
    "Chemical_element.html": page("Chemical element", """
<p>A <b>chemical element</b> is a species of atom defined by its number of protons.</p>
"""),
    "Scripted_article.html": page("Scripted article", """
<script>document.title = "pwned-by-script";</script>
<p onclick="alert('pwned-onclick')">The <b>scripted article</b> is <img src="x.png"
onerror="alert('pwned-onerror')"> a test page <a href="javascript:alert('pwned-href')">with
a link</a> and <iframe src="https://evil.example/"></iframe>text &lt;script&gt;alert(1)&lt;/script&gt;
after.<svg><script>alert('pwned-svg')</script></svg></p>
<style>body { background: red; }</style>
<form action="https://evil.example/"><input name="x"></form>
"""),
    "index.html": page("Beacon test wiki", "<p>Test articles for Beacon.</p>"),
    "style.css": "body { font-family: sans-serif; }\n",
}

REDIRECTS = [
    ("Pharos.html", "Pharos", "Lighthouse.html"),
    ("Eddystone.html", "Eddystone", "Eddystone_Lighthouse.html"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--extra", type=int, default=0)
    args = ap.parse_args()
    tool = shutil.which("zimwriterfs")
    if not tool:
        sys.exit("zimwriterfs is missing (Debian package zim-tools)")
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "html")
        os.makedirs(os.path.join(root, "I"))
        for name, text in ARTICLES.items():
            with open(os.path.join(root, name), "w", encoding="utf-8") as f:
                f.write(text)
        with open(os.path.join(root, "I", "Lighthouse.png"), "wb") as f:
            f.write(png(64, 64, (200, 40, 40)))
        with open(os.path.join(root, "illustration.png"), "wb") as f:
            f.write(png(48, 48, (20, 60, 160)))
        for i in range(1, args.extra + 1):
            with open(os.path.join(root, "Generated_article_%d.html" % i), "w", encoding="utf-8") as f:
                f.write(page("Generated article %d" % i,
                             "<p>The <b>generated article %d</b> is filler number %d for the "
                             "lookup benchmark.</p>" % (i, i)))
        # Redirects as HTML refresh pages: zimwriterfs 3.1.3's --redirects TSV parser rejects
        # every line (its regex match count check is off by one).
        for name, title, target in REDIRECTS:
            with open(os.path.join(root, name), "w", encoding="utf-8") as f:
                f.write("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>%s</title>"
                        "<meta http-equiv=\"refresh\" content=\"0;url=%s\"></head><body></body>"
                        "</html>\n" % (title, target))
        out = os.path.abspath(args.out)
        if os.path.exists(out):
            os.remove(out)
        cmd = [tool, "--welcome=index.html", "--illustration=illustration.png", "--language=eng",
               "--title=Beacon test wiki", "--description=Articles for Beacon's tests",
               "--creator=Beacon", "--publisher=Beacon", "--name=beacon_test_en",
               "--threads=2", root, out]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0 or not os.path.exists(out):
            sys.exit("zimwriterfs failed (%d):\n%s" % (r.returncode, r.stdout[-4000:]))


if __name__ == "__main__":
    main()
