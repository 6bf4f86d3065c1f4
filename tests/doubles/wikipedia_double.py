#!/usr/bin/env python3
"""Wikipedia REST API stand-in (RESTBase, https://<lang>.wikipedia.org/api/rest_v1/), written
from the API documentation (Specs/Summary/1.4.0 and the page/html endpoint):

GET /api/rest_v1/page/summary/{title}
  200 application/json; profile=".../Specs/Summary/1.4.0": type standard | disambiguation |
      no-extract, title, titles{canonical,normalized,display}, description, extract,
      extract_html, thumbnail/originalimage {source,width,height}, content_urls.desktop.page...
  302 for a redirect page: Location is the target title (relative), the target's summary in
      the body (the documented behaviour of redirect=true, the default); redirect=false gives 200
      with the target's summary instead.
  404 application/problem+json {type: .../HyperSwitch/errors/not_found, title, method, detail, uri}
  429 with Retry-After (seconds) for the first --busy summary requests (the 2026 rate limits).
GET /api/rest_v1/page/html/{title}: Parsoid HTML (disambiguation pages carry
  <meta property="mw:PageProp/disambiguation"> and rel="mw:WikiLink" links).
Titles: the first letter is case-insensitive, the rest is not; spaces and underscores are equal.
GET /__double/stats: {"max_in_flight": n, "summary_requests": n} (concurrency seen).
"""
import json
import threading
import time
import urllib.parse

import common

PROFILE = 'application/json; charset=utf-8; profile="https://www.mediawiki.org/wiki/Specs/Summary/1.4.0"'
HTML_PROFILE = 'text/html; charset=utf-8; profile="https://www.mediawiki.org/wiki/Specs/HTML/2.8.0"'

PAGES = {
    "Lighthouse": {
        "type": "standard",
        "description": "Structure designed to emit light to aid navigation",
        "extract": "A lighthouse is a tower, building, or other type of physical structure designed "
                   "to emit light from a system of lamps and lenses and to serve as a beacon for "
                   "navigational aid for maritime pilots at sea or on inland waterways. Lighthouses "
                   "mark dangerous coastlines, hazardous shoals, reefs, rocks, and safe entries to "
                   "harbors. They also assist in aerial navigation. Numbers have declined.",
        "image": "https://upload.wikimedia.org/wikipedia/commons/thumb/a/a1/Lighthouse.jpg/320px-Lighthouse.jpg",
    },
    "Eddystone_Lighthouse": {
        "type": "standard",
        "description": "Lighthouse in Cornwall, England",
        "extract": "The Eddystone Lighthouse is a lighthouse on the dangerous Eddystone Rocks, 9 "
                   "statute miles south of Rame Head in Cornwall, England.",
    },
    "Mercury_(planet)": {
        "type": "standard",
        "description": "Smallest and closest planet to the Sun",
        "extract": "Mercury is the first planet from the Sun and the smallest in the Solar System.",
    },
    "Mercury_(element)": {
        "type": "standard",
        "description": "Chemical element with atomic number 80 (Hg)",
        "extract": "Mercury is a chemical element; it has symbol Hg and atomic number 80. It is a "
                   "heavy, silvery metal.",
    },
    "Mercury": {
        "type": "disambiguation",
        "description": "Topics referred to by the same term",
        "extract": "Mercury commonly refers to: Mercury (planet), the nearest planet to the Sun; "
                   "Mercury (element), a metallic chemical element.",
        "html_list": [("Mercury_(planet)", "Mercury (planet)", "the nearest planet to the Sun"),
                      ("Mercury_(element)", "Mercury (element)", "a metallic chemical element")],
    },
    "Blank_page": {"type": "no-extract", "description": "", "extract": ""},
}
REDIRECTS = {"Pharos": "Lighthouse", "Eddystone": "Eddystone_Lighthouse"}


def normalize(title):
    t = urllib.parse.unquote(title).replace(" ", "_")
    return t[:1].upper() + t[1:]


def summary(lang, key):
    p = PAGES[key]
    title = key.replace("_", " ")
    out = {
        "type": p["type"], "title": key, "displaytitle": '<span class="mw-page-title-main">%s</span>' % title,
        "namespace": {"id": 0, "text": ""}, "wikibase_item": "Q%d" % (abs(hash(key)) % 100000),
        "titles": {"canonical": key, "normalized": title,
                   "display": '<span class="mw-page-title-main">%s</span>' % title},
        "pageid": abs(hash(key)) % 1000000, "lang": lang, "dir": "ltr",
        "revision": "1200000000", "tid": "5d1e6a40-0000-11ef-0000-000000000000",
        "timestamp": "2026-01-15T10:00:00Z", "description": p["description"],
        "description_source": "local",
        "content_urls": {
            "desktop": {"page": "https://%s.wikipedia.org/wiki/%s" % (lang, key),
                        "revisions": "https://%s.wikipedia.org/wiki/%s?action=history" % (lang, key),
                        "edit": "https://%s.wikipedia.org/wiki/%s?action=edit" % (lang, key),
                        "talk": "https://%s.wikipedia.org/wiki/Talk:%s" % (lang, key)},
            "mobile": {"page": "https://%s.m.wikipedia.org/wiki/%s" % (lang, key)}},
        "extract": p["extract"],
        "extract_html": "<p>%s</p>" % p["extract"].replace("&", "&amp;").replace("<", "&lt;"),
    }
    if p.get("image"):
        out["thumbnail"] = {"source": p["image"], "width": 320, "height": 427}
        out["originalimage"] = {"source": p["image"].replace("/thumb", "").rsplit("/", 1)[0],
                                "width": 1200, "height": 1600}
    return out


def parsoid_html(key):
    p = PAGES[key]
    items = ""
    for href, title, text in p.get("html_list", []):
        items += '<li><a rel="mw:WikiLink" href="./%s" title="%s">%s</a>, %s</li>\n' % (
            href, title, title, text)
    meta = '<meta property="mw:PageProp/disambiguation"/>' if p["type"] == "disambiguation" else ""
    return ('<!DOCTYPE html>\n<html prefix="dc: http://purl.org/dc/terms/ mw: http://mediawiki.org/rdf/">'
            '<head><meta charset="utf-8"/><title>%s</title>%s</head><body><section data-mw-section-id="0">'
            '<p><b>%s</b> may refer to:</p><ul>%s</ul></section></body></html>'
            % (key.replace("_", " "), meta, key.replace("_", " "), items))


class H(common.Handler):
    def do_GET(self):
        a = self.server.args
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/__double/stats":
            st = self.server.state
            return self.send(200, {"max_in_flight": st["max"], "summary_requests": st["summaries"]},
                             record=False)
        for kind in ("summary", "html"):
            prefix = "/api/rest_v1/page/%s/" % kind
            if url.path.startswith(prefix):
                return self.page(kind, url.path[len(prefix):], query, a)
        self.send(404, {"type": "https://mediawiki.org/wiki/HyperSwitch/errors/not_found",
                        "title": "Not found.", "method": "get", "uri": url.path},
                  ctype="application/problem+json")

    def page(self, kind, raw_title, query, a):
        st = self.server.state
        with self.server.lock:
            st["in_flight"] += 1
            st["max"] = max(st["max"], st["in_flight"])
            if kind == "summary":
                st["summaries"] += 1
                busy = st["summaries"] <= a.busy
            else:
                busy = False
        done = []

        def reply(*args, **kwargs):
            # The answer is decided: no longer "in flight" from here, before its bytes go out
            # (a client that reads them may send its next request at once, and counting that
            # one while this thread is still writing would report more than the client had).
            leave()
            return self.send(*args, **kwargs)

        def leave():
            if not done:
                done.append(True)
                with self.server.lock:
                    st["in_flight"] -= 1

        try:
            if a.delay:
                time.sleep(a.delay)
            if busy:
                return reply(429, {"type": "https://mediawiki.org/wiki/HyperSwitch/errors/too_many_requests",
                                       "title": "Too many requests", "method": "get",
                                       "detail": "You are making too many requests."},
                                 ctype="application/problem+json", headers={"Retry-After": str(a.retry_after or 1)})
            key = normalize(raw_title)
            uri = "/%s.wikipedia.org/v1/page/%s/%s" % (a.lang, kind, urllib.parse.quote(key))
            target = REDIRECTS.get(key)
            if target and kind == "summary":
                if query.get("redirect", ["true"])[0] == "false":
                    return reply(200, summary(a.lang, target), ctype=PROFILE)
                return reply(302, summary(a.lang, target), ctype=PROFILE,
                                 headers={"Location": urllib.parse.quote(target)})
            if key not in PAGES:
                return reply(404, {"type": "https://mediawiki.org/wiki/HyperSwitch/errors/not_found",
                                       "title": "Not found.", "method": "get",
                                       "detail": "Page or revision not found.", "uri": uri},
                                 ctype="application/problem+json")
            if kind == "html":
                return reply(200, parsoid_html(key), ctype=HTML_PROFILE)
            return reply(200, summary(a.lang, key), ctype=PROFILE)
        finally:
            leave()


if __name__ == "__main__":
    p = common.base_parser("Wikipedia REST API stand-in")
    p.add_argument("--lang", default="en")
    p.add_argument("--busy", type=int, default=0, help="answer 429 to the first N summary requests")
    common.serve(H, {"in_flight": 0, "max": 0, "summaries": 0}, p)
