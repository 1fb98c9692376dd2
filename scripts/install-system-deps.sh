#!/usr/bin/env bash
# Installs the system libraries reportgen needs beyond Python packages, when they are missing:
#   - Pango/HarfBuzz for WeasyPrint (the PDF briefing)            [required for PDFs]
#   - the Liberation fonts the charts are set in                  [else labels may collide]
#   - Chromium and poppler-utils for the browser and PDF checks   [optional: tests skip without]
# Uses apt-get (Debian/Ubuntu) as root or through sudo; elsewhere it prints what to install.
set -u
need=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib libpango-1.0.so.0 || need+=(libpango-1.0-0)
have_lib libpangoft2-1.0.so.0 || need+=(libpangoft2-1.0-0)
have_lib libharfbuzz-subset.so.0 || need+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
# The charts' font: the SVGs are measured and drawn with it, so labels fit in the PDF too.
fc-list 2>/dev/null | grep -qi "liberation sans" || need+=(fonts-liberation)
if [ "${WITH_BROWSER:-1}" = 1 ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fi
[ ${#need[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
    echo "reportgen: please install these system packages: ${need[*]}" >&2
    echo "  (WeasyPrint needs Pango for PDFs; Chromium/poppler only enable extra checks)" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "reportgen: install the equivalents of: ${need[*]} (see README, Troubleshooting)" >&2
  exit 0
fi
echo "Installing system packages: ${need[*]}"
$sudo apt-get update -qq >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" \
  >/dev/null 2>&1 || {
  # Fall back to the required libraries alone if an optional package is unavailable.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation \
    >/dev/null 2>&1 || \
    echo "reportgen: could not install ${need[*]}; PDF output may fail" >&2
}
exit 0
