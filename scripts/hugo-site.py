#!/usr/bin/env python3
"""Lay out a Hugo site over the same post-mortems hindsight built, for scripts/bench.sh.

    hugo-site.py CORPUS HUGO_DIR

CORPUS is a hindsight site that was built (its public/api/incidents.json is read);
HUGO_DIR receives a Hugo site: every post-mortem as a content page with front matter
Hugo reads (title, date, and three taxonomies: severity, services, causes, taken from
hindsight's export for files written without front matter), and minimal templates for
pages, lists, the home page, taxonomies and terms. This is the "bare pages + three
taxonomies" build hindsight is compared with: Hugo renders Markdown to HTML and the
taxonomy lists, nothing else (no search index, dashboards, related incidents).
"""
import json
import pathlib
import sys

corpus, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
export = json.loads((corpus / "public/api/incidents.json").read_text())
by_id = {i["id"]: i for i in export["incidents"]}

(out / "content").mkdir(parents=True, exist_ok=True)
(out / "hugo.toml").write_text(
    'baseURL = "https://postmortems.example/"\n'
    'title = "post-mortems"\n'
    'disableKinds = ["RSS", "sitemap", "robotsTXT"]\n'
    "[taxonomies]\n"
    'severity = "severity"\n'
    'service = "services"\n'
    'cause = "causes"\n'
    "[markup.goldmark.renderer]\n"
    "unsafe = false\n"
)
layouts = {
    "baseof.html": '<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
    "<body>{{ block \"main\" . }}{{ end }}</body></html>\n",
    "single.html": '{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>'
    "{{ range .GetTerms \"services\" }}<a href=\"{{ .RelPermalink }}\">{{ .LinkTitle }}</a> {{ end }}"
    "{{ .Content }}{{ end }}\n",
    "list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}'
    '<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}\n',
}
layouts["home.html"] = layouts["list.html"]
layouts["taxonomy.html"] = layouts["list.html"]
layouts["term.html"] = layouts["list.html"]
(out / "layouts").mkdir(exist_ok=True)
for name, text in layouts.items():
    (out / "layouts" / name).write_text(text)


def yaml_list(values):
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


pages = 0
for source in sorted((corpus / "content").rglob("*.md")):
    text = source.read_text(encoding="utf-8", errors="replace")
    target = out / "content" / source.relative_to(corpus / "content")
    target.parent.mkdir(parents=True, exist_ok=True)
    incident = by_id.get(source.stem)
    if not text.startswith("---\n") and incident:
        front = [
            "---",
            f"title: {json.dumps(incident['title'])}",
            f"date: {incident['date']}",
            f"severity: {yaml_list([incident['severity']] if incident.get('severity') else [])}",
            f"services: {yaml_list(incident.get('services') or [])}",
            f"causes: {yaml_list(incident.get('causes') or [])}",
            "---",
            "",
        ]
        text = "\n".join(front) + text
    elif text.startswith("---\n"):
        # hindsight's severity is a scalar; Hugo's taxonomy wants a list.
        head, sep, body = text[4:].partition("\n---\n")
        head = "\n".join(
            f"severity: [{line.split(':', 1)[1].strip()}]" if line.startswith("severity:") else line
            for line in head.splitlines()
        )
        text = "---\n" + head + sep + body
    target.write_text(text, encoding="utf-8")
    pages += 1
print(f"hugo site: {pages} pages in {out}")
