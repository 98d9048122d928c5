#!/usr/bin/env bash
# make-heldout.sh OUTDIR — a held-out set of hard captures for issue 16, made the way the corpus's
# tools/make-photo.sh makes photo/ but with other fonts, resolutions, perspectives, lighting,
# backgrounds and speck levels (and two clean controls that must come out unchanged). Tune the
# preprocessing on photo/, score it here: `node bench/hardCaptures.ts OUTDIR`. Write OUTDIR outside
# the repository. Needs the corpus's Debian packages (ghostscript, poppler-utils, imagemagick,
# img2pdf through ocrmypdf's python3). Seeded: the same files on every run.
set -euo pipefail
export LC_ALL=C.UTF-8
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOOLS="$HERE/../../../shared/corpus/tools"
OUT="$(mkdir -p "$1" && cd "$1" && pwd)"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT; cd "$T"
python3 "$TOOLS/synth.py" "$HERE/recipe-heldout.json" . --seed 4242 > pages.tsv
for n in $(cut -f1 pages.tsv); do
  gs -q -dSAFER -dNOPAUSE -dBATCH -sDEVICE=pdfwrite -dOmitInfoDate=true -dOmitID=true -dOmitXMP=true -o "$n.vector.pdf" "$n.ps"
done
# deg IN OUT DPI ROTATE NOISE-TYPE NOISE BLUR LOW% HIGH% SEED [more convert options]
deg() { in=$1 out=$2 dpi=$3 rot=$4 nt=$5 noise=$6 blur=$7 lo=$8 hi=$9 seed=${10}; shift 10
  wh=$(identify -format '%wx%h' "$in")
  convert "$in" -colorspace Gray -seed "$seed" -background white -rotate "$rot" -gravity center -extent "$wh" +repage \
    -blur "0x$blur" +level "$lo%,$hi%" -attenuate "$noise" +noise "$nt" "$@" -density "$dpi" -units PixelsPerInch "$out"; }
render() { pdftoppm -r "$2" -gray "$1.vector.pdf" "$1-p"; }
size() { W=$(identify -format '%w' "$1"); H=$(identify -format '%h' "$1"); }

# h01: Bookman 10 pt at 170 DPI; the left edge leans in, light falls off towards the bottom-left
# corner (radial), a brown table; the JPEG says 72 DPI.
render h01-photo-bookman-letter 170
deg h01-photo-bookman-letter-p-1.pgm h01.miff 170 0 Gaussian 0.25 0.8 9 93 4301 -depth 8
size h01.miff
convert h01.miff -colorspace sRGB -type TrueColor -background '#6b5d4f' -virtual-pixel background \
  -distort Perspective "0,0 $((W*5/100)),$((H*2/100))  $W,0 $((W*99/100)),0  0,$H $((W*1/100)),$((H*97/100))  $W,$H $((W*96/100)),$((H*99/100))" \
  +level-colors '#2b241f,#f2e8d6' \( -size "$((W*2))x$((H*2))" radial-gradient:'#ffffff'-'#8f877c' -gravity northeast -crop "${W}x${H}+0+0" +repage \) \
  -compose Multiply -composite -blur 0x0.7 -density 72 -units PixelsPerInch -quality 80 "$OUT/h01-photo-bookman-letter.jpg"

# h02: Palatino 10 pt at 220 DPI, turned -2.2°, the bottom edge recedes (strong perspective), a
# dark grey-blue desk, light falling off towards the bottom; the JPEG says 96 DPI.
render h02-photo-palatino-report 220
deg h02-photo-palatino-report-p-1.pgm h02.miff 220 -2.2 Gaussian 0.2 0.7 7 95 4302 -depth 8
size h02.miff
convert h02.miff -colorspace sRGB -type TrueColor -background '#2c2f33' -virtual-pixel background \
  -distort Perspective "0,0 $((W*2/100)),$((H*1/100))  $W,0 $((W*98/100)),$((H*2/100))  0,$H $((W*7/100)),$((H*96/100))  $W,$H $((W*92/100)),$((H*97/100))" \
  +level-colors '#1f1d1c,#f5f1e8' \( -size "${W}x${H}" gradient:'#ffffff'-'#9c968c' \) \
  -compose Multiply -composite -blur 0x0.6 -density 96 -units PixelsPerInch -quality 84 "$OUT/h02-photo-palatino-report.jpg"

# h03: Courier 11 pt at only 120 DPI, mild perspective, light from the right, a light wooden table
# (little contrast with the paper); the JPEG says 72 DPI.
render h03-photo-courier-lowres 120
deg h03-photo-courier-lowres-p-1.pgm h03.miff 120 0.8 Gaussian 0.2 0.6 10 92 4303 -depth 8
size h03.miff
convert h03.miff -colorspace sRGB -type TrueColor -background '#a08a70' -virtual-pixel background \
  -distort Perspective "0,0 $((W*3/100)),$((H*3/100))  $W,0 $((W*97/100)),$((H*1/100))  0,$H $((W*1/100)),$((H*99/100))  $W,$H $((W*99/100)),$((H*97/100))" \
  +level-colors '#2a231d,#f0e6d2' \( -size "${H}x${W}" gradient:'#ffffff'-'#b0a798' -rotate -90 \) \
  -compose Multiply -composite -blur 0x0.5 -density 72 -units PixelsPerInch -quality 85 "$OUT/h03-photo-courier-lowres.jpg"

# h04: Century Schoolbook 12 pt at 200 DPI, the page fills the whole frame (no background seen),
# light falling off diagonally and a soft shadow band across; no DPI in the file.
render h04-photo-fullframe 200
deg h04-photo-fullframe-p-1.pgm h04.miff 200 0.4 Gaussian 0.2 0.7 8 94 4304 -depth 8
size h04.miff
convert h04.miff -colorspace sRGB -type TrueColor \
  +level-colors '#262019,#f4ecdc' \( -size "${W}x${H}" xc: -sparse-color Barycentric "0,0 #ffffff $W,$H #a49a8c" \) \
  -compose Multiply -composite \( -size "${W}x${H}" xc:white -fill '#c8c0b4' -draw "rectangle 0,$((H*55/100)) $W,$((H*62/100))" -blur 0x40 \) \
  -compose Multiply -composite -blur 0x0.6 -strip -quality 83 "$OUT/h04-photo-fullframe.jpg"

# h05: URW Gothic 10 pt in two columns at 200 DPI, turned 1°, perspective, a bluish cast, a dark
# wooden table; the JPEG says 72 DPI.
render h05-photo-gothic-twocol 200
deg h05-photo-gothic-twocol-p-1.pgm h05.miff 200 1.0 Gaussian 0.2 0.7 8 94 4305 -depth 8
size h05.miff
convert h05.miff -colorspace sRGB -type TrueColor -background '#3b2a1e' -virtual-pixel background \
  -distort Perspective "0,0 $((W*4/100)),$((H*2/100))  $W,0 $((W*99/100)),$((H*4/100))  0,$H $((W*2/100)),$((H*98/100))  $W,$H $((W*95/100)),$((H*95/100))" \
  +level-colors '#1c2026,#e6ecf2' \( -size "${W}x${H}" gradient:'#b4b8be'-'#ffffff' \) \
  -compose Multiply -composite -blur 0x0.7 -density 72 -units PixelsPerInch -quality 82 "$OUT/h05-photo-gothic-twocol.jpg"

# h06: Century Schoolbook 11 pt, 300-DPI grey JPEGs in a PDF with light salt-and-pepper specks.
render h06-specks-c059-grey 300
deg h06-specks-c059-grey-p-1.pgm h06-p1.jpg 300 0.6 Impulse 0.06 0.5 8 92 4306 -quality 78
deg h06-specks-c059-grey-p-2.pgm h06-p2.jpg 300 -0.5 Impulse 0.06 0.5 8 92 4307 -quality 78
/usr/bin/python3 -m img2pdf -o "$OUT/h06-specks-c059-grey.pdf" h06-p1.jpg h06-p2.jpg

# h07: Times 11 pt as a 200-DPI bilevel fax with specks.
render h07-specks-fax-200 200
deg h07-specks-fax-200-p-1.pgm h07.tif 200 0.3 Impulse 0.25 0.4 0 100 4308 -threshold 50% -type bilevel -compress Group4
cp h07.tif "$OUT/h07-specks-fax-200.tif"

# h08: Helvetica 9 pt in two columns, 300-DPI grey PNG with dust: specks made at 100 DPI and
# enlarged, so they are 2–4 px across, the size of a full stop of 9-pt type.
render h08-specks-dust-sans9 300
deg h08-specks-dust-sans9-p-1.pgm h08-base.png 300 -0.7 Gaussian 0.15 0.5 8 93 4309 -depth 8
size h08-base.png
convert -size "$((W/3))x$((H/3))" xc:white -seed 4310 -attenuate 0.05 +noise Impulse -colorspace Gray -threshold 50% -filter point -resize "${W}x${H}!" -blur 0x0.5 h08-dust.png
convert h08-base.png h08-dust.png -compose Multiply -composite -colorspace Gray -depth 8 -density 300 -units PixelsPerInch "$OUT/h08-specks-dust-sans9.png"

# h09: Courier 10 pt as a 300-DPI bilevel fax with heavy specks.
render h09-specks-fax-courier-heavy 300
deg h09-specks-fax-courier-heavy-p-1.pgm h09.tif 300 -0.3 Impulse 0.5 0.5 0 100 4311 -threshold 50% -type bilevel -compress Group4
cp h09.tif "$OUT/h09-specks-fax-courier-heavy.tif"

# h10: Helvetica Narrow 10 pt in two columns, a 150-DPI grey JPEG in a PDF with specks.
render h10-specks-twocol-150 150
deg h10-specks-twocol-150-p-1.pgm h10.jpg 150 0.5 Impulse 0.1 0.4 8 92 4312 -blur 0x0.3 -quality 75
/usr/bin/python3 -m img2pdf -o "$OUT/h10-specks-twocol-150.pdf" h10.jpg

# Controls, which must read as before: a clean 300-DPI grey scan (Bookman 11 pt) and a phone
# "scanner app" output (already flattened and thresholded, 200 DPI, no specks).
render h11-clean-bookman-scan 300
deg h11-clean-bookman-scan-p-1.pgm h11.jpg 300 0.9 Gaussian 0.15 0.5 8 93 4313 -quality 80
/usr/bin/python3 -m img2pdf -o "$OUT/h11-clean-bookman-scan.pdf" h11.jpg
render h12-clean-scanapp-bilevel 200
deg h12-clean-scanapp-bilevel-p-1.pgm "$OUT/h12-clean-scanapp-bilevel.png" 200 0.2 Gaussian 0.1 0.5 0 100 4314 -threshold 55% -type bilevel

cp h*.gt.txt "$OUT/"
