#!/usr/bin/env bash
# The manual agrees with the tools: every tool in $WF_BIN has a page man/<tool>.1.scd, every option
# its --help lists (long, and short; a subcommand's too) appears in that page, every man/*.scd renders with scdoc and
# names itself as its file does, and the pages the build made ($WF_MAN_DIR) are not stale.
# Generic on purpose: a tool or a page that lands later is checked without a change here.
# Env: WF_BIN (the build's bin dir), WF_SOURCE_DIR, WF_MAN_DIR (the build's man dir, optional).
# Exit 77 (skipped) when scdoc is missing or no tool has been built.
set -uo pipefail

: "${WF_BIN:?WF_BIN must name the bin directory of a build}"
: "${WF_SOURCE_DIR:?WF_SOURCE_DIR must name the source directory}"
man_src=$WF_SOURCE_DIR/man

if ! command -v scdoc >/dev/null 2>&1; then
  echo "skipped: scdoc is not installed (scripts/bootstrap installs it)"
  exit 77
fi

tools=()
for exe in "$WF_BIN"/wf-*; do
  [ -f "$exe" ] && [ -x "$exe" ] && tools+=("$exe")
done
if [ ${#tools[@]} -eq 0 ]; then
  echo "skipped: no wf-* tool in $WF_BIN"
  exit 77
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# Whether `option` occurs in `file` as a word of its own: --output must not match --output-dir,
# and -o must not match -o2 or a-o.
mentions() {
  local option=$1 file=$2
  grep -qE -- "(^|[^A-Za-z0-9_-])${option}([^A-Za-z0-9_-]|$)" "$file"
}

# The options a --help text defines: the words starting with - on its option lines (CLI11 writes
# "  -o,--output FILE", "  --format TEXT:{json,yaml}"), and any --long option its prose mentions.
options_of() {
  local help=$1
  {
    grep -E '^[[:space:]]+-' "$help" | sed -E 's/^[[:space:]]+//; s/[[:space:]].*$//' | tr ',' '\n'
    grep -oE -- '(^|[^A-Za-z0-9_-])--[A-Za-z][A-Za-z0-9-]*' "$help" | sed -E 's/^[^-]//'
  } | grep -E '^--?[A-Za-z][A-Za-z0-9-]*$' | sort -u
}

# The subcommands a --help text lists: the first word of each line of its "Subcommands:" block.
subcommands_of() {
  awk '/^Subcommands:/ { on = 1; next } on && /^[[:space:]]*$/ { on = 0 } on && /^[[:space:]]+[a-z]/ { print $1 }' "$1"
}

# 1. Every page renders, and its preamble names the page its file name says: wf-run.1.scd -> wf-run(1).
pages=0
for page in "$man_src"/*.scd; do
  [ -e "$page" ] || continue
  pages=$((pages + 1))
  base=$(basename "$page" .scd)               # wf-run.1
  name=${base%.*}
  section=${base##*.}
  if [[ ! $section =~ ^[1-9]$ ]]; then
    fail "$(basename "$page"): the name must be NAME.SECTION.scd"
    continue
  fi
  if ! scdoc < "$page" > "$scratch/$base" 2> "$scratch/$base.err"; then
    fail "$(basename "$page") does not render: $(cat "$scratch/$base.err")"
    continue
  fi
  first=$(head -n 1 "$page")
  if [[ $first != "$name($section)"* ]]; then
    fail "$(basename "$page"): the first line is '$first', expected it to start with '$name($section)'"
  fi
  for heading in NAME DESCRIPTION "SEE ALSO"; do
    grep -qx "# $heading" "$page" || fail "$(basename "$page") has no '# $heading' section"
  done
  if [ "$section" = 1 ]; then
    for heading in SYNOPSIS OPTIONS "EXIT STATUS"; do
      grep -qx "# $heading" "$page" || fail "$(basename "$page") has no '# $heading' section"
    done
  fi
  # The page the build made, when it made one, is the page of this source. scdoc dates a page
  # (.TH) the day it renders it: a page built yesterday is not stale for that.
  undated() { sed -E '1,20s/^(\.TH "[^"]*" "[^"]*") "[^"]*"/\1 ""/' "$1"; }
  if [ -n "${WF_MAN_DIR:-}" ] && [ -f "$WF_MAN_DIR/$base" ] &&
    ! cmp -s <(undated "$scratch/$base") <(undated "$WF_MAN_DIR/$base"); then
    fail "$WF_MAN_DIR/$base is stale: rebuild (cmake --build BUILD --target man)"
  fi
done
[ "$pages" -gt 0 ] || fail "no page in $man_src"

# 2. Every tool has a page, and its page mentions every option of its --help.
for exe in "${tools[@]}"; do
  tool=$(basename "$exe")
  page=$man_src/$tool.1.scd
  help=$scratch/$tool.help
  if ! "$exe" --help > "$help" 2>&1; then
    fail "$tool --help exits $? (expected 0)"
    continue
  fi
  if [ ! -f "$page" ]; then
    fail "$tool has no man page: expected man/$tool.1.scd"
    continue
  fi
  # A tool with subcommands (CLI11's "Subcommands:" block) has options of its own under each:
  # their --help texts join the tool's.
  for sub in $(subcommands_of "$help"); do
    if ! "$exe" "$sub" --help > "$scratch/$tool.$sub.help" 2>&1; then
      fail "$tool $sub --help exits non-zero (expected 0)"
      continue
    fi
    cat "$scratch/$tool.$sub.help" >> "$help"
    mentions "$sub" "$page" || fail "man/$tool.1.scd does not document the subcommand '$sub'"
  done
  mapfile -t options < <(options_of "$help")
  if [ ${#options[@]} -eq 0 ]; then
    fail "$tool --help lists no option (expected at least --help)"
    continue
  fi
  missing=()
  for option in "${options[@]}"; do
    mentions "$option" "$page" || missing+=("$option")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    fail "man/$tool.1.scd does not document ${missing[*]} (from '$tool --help')"
  else
    echo "ok: $tool: ${#options[@]} options of --help in man/$tool.1.scd"
  fi
done

# 3. A page that names a wf page in SEE ALSO or elsewhere: said, not failed, when that page is not
#    written yet (pages land one by one).
for ref in $(grep -ohE '\*wf(-[a-z]+)?\*\([1-9]\)' "$man_src"/*.scd | tr -d '*' | sort -u); do
  target=${ref%(*}.${ref//[^0-9]/}.scd
  [ -f "$man_src/$target" ] || echo "note: $ref is referred to, but man/$target does not exist yet"
done

if [ "$failures" -gt 0 ]; then
  echo "$failures problem(s) with the man pages"
  exit 1
fi
echo "ok: $pages pages render; ${#tools[@]} tools documented"
