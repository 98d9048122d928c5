#!/usr/bin/env bash
# make.sh - rebuilds the sample scans in this folder from the texts in source/.
#
# The texts were written for this project and the pages are rendered from them here, so the
# samples are ours to share (see LICENSE). Needs Debian's imagemagick (6.x, `convert`),
# ghostscript and fonts-urw-base35:
#   apt-get install -y --no-install-recommends imagemagick ghostscript fonts-urw-base35
# Seeded: the same ImageMagick version gives the same pixels. Takes a few seconds.
set -euo pipefail
export LC_ALL=C.UTF-8
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$HERE/source"
FONT=/usr/share/fonts/opentype/urw-base35/C059-Roman.otf
VIEWJPEG="$(ls /usr/share/ghostscript/*/lib/viewjpeg.ps | head -n 1)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# page TEXTFILE OUT.png DPI [POINTS]: the text set in 11 pt (or POINTS) on an A4 page, 2.2 cm margins.
page() {
  local dpi=$3 points=${4:-11}
  local w=$((827 * dpi / 100)) h=$((1169 * dpi / 100)) margin=$((87 * dpi / 100))
  convert -density "$dpi" -size "$((w - 2 * margin))x" -font "$FONT" -pointsize "$points" \
    caption:"$(cat "$1")" -background white -gravity northwest \
    -splice "${margin}x${margin}" -extent "${w}x${h}" -colorspace Gray "$2"
}

# scan IN OUT ANGLE SEED: a flatbed scan: slightly crooked, grey paper, sensor noise.
scan() {
  convert "$1" -seed "$4" -background white -rotate "$3" -gravity center \
    -extent "$(identify -format '%wx%h' "$1")" +repage -blur 0x0.6 +level 8%,93% \
    -attenuate 0.12 +noise Gaussian -colorspace Gray "$2"
}

# jpeg_pdf OUT.pdf DPI PAGE.jpg...: the JPEGs as they are (not re-encoded), one per page.
jpeg_pdf() {
  local out=$1 dpi=$2 ps="$TMP/pages.ps"
  shift 2
  : > "$ps"
  for j in "$@"; do
    read -r w h < <(identify -format '%w %h\n' "$j")
    printf '<< /PageSize [%s %s] >> setpagedevice\n' "$(echo "$w*72/$dpi" | bc -l)" \
      "$(echo "$h*72/$dpi" | bc -l)" >> "$ps"
    printf 'gsave %s %s scale (%s) viewJPEG grestore showpage\n' "$(echo "72/$dpi" | bc -l)" \
      "$(echo "72/$dpi" | bc -l)" "$j" >> "$ps"
  done
  gs -q -dSAFER --permit-file-read="$TMP/" -dNOPAUSE -dBATCH -sDEVICE=pdfwrite \
    -dPassThroughJPEGImages=true -dOmitInfoDate=true -dOmitID=true -dOmitXMP=true \
    -o "$out" "$VIEWJPEG" "$ps"
}

# letter.pdf: one scanned page (150 dpi grey JPEG).
page "$SRC/letter.txt" "$TMP/letter.png" 150
scan "$TMP/letter.png" "$TMP/letter.jpg" 1.1 1
convert "$TMP/letter.jpg" -quality 50 "$TMP/letter-q.jpg"
jpeg_pdf "$HERE/letter.pdf" 150 "$TMP/letter-q.jpg"

# minutes.pdf: two scanned pages, crooked the other way.
for i in 1 2; do
  page "$SRC/minutes-$i.txt" "$TMP/minutes-$i.png" 150
  scan "$TMP/minutes-$i.png" "$TMP/minutes-$i.jpg" "-0.$((6 + i))" "$((10 + i))"
  convert "$TMP/minutes-$i.jpg" -quality 50 "$TMP/minutes-$i-q.jpg"
done
jpeg_pdf "$HERE/minutes.pdf" 150 "$TMP/minutes-1-q.jpg" "$TMP/minutes-2-q.jpg"

# notice.jpg: a phone photo of a notice pinned up: tilted, lit unevenly from one side.
page "$SRC/notice.txt" "$TMP/notice.png" 150 20
convert "$TMP/notice.png" -gravity north -crop 100%x52%+0+0 +repage -resize 80% \
  -seed 3 -background '#d8d4cc' -rotate -3.5 +repage \
  \( +clone -sparse-color Barycentric '0,0 gray(92%) %w,%h gray(62%)' \) -compose Multiply -composite \
  -blur 0x0.7 -attenuate 0.5 +noise Gaussian -quality 60 "$HERE/notice.jpg"

# memo.tif: a fax: black and white, CCITT Group 4.
page "$SRC/memo.txt" "$TMP/memo.png" 200
scan "$TMP/memo.png" "$TMP/memo-grey.png" 0.4 5
convert "$TMP/memo-grey.png" -threshold 55% -type bilevel -compress Group4 \
  -density 200 -units PixelsPerInch "$HERE/memo.tif"

ls -l "$HERE"/*.pdf "$HERE"/*.jpg "$HERE"/*.tif
