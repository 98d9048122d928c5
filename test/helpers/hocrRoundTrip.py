"""Reads an hOCR file the way OCRmyPDF does and gives back the text a PDF reader sees.

Usage: python3 hocrRoundTrip.py FILE.hocr WORKDIR [pdftotext options...]

OCRmyPDF's hOCR reader (ocrmypdf.hocrtransform) turns one page of hOCR into one PDF page: it
takes the first ocr_page's size and draws every ocr_line of the file on it. So each page of a
multi-page file is written out as a one-page hOCR file (the same XHTML, that page only), turned
into a PDF with `python3 -m ocrmypdf.hocrtransform -r RESOLUTION` (the resolution from the
page's scan_res; its other options left at their defaults) and read back with pdftotext (the
options given: -raw reads in the order the hOCR gives, which is what is being checked). Prints
the pages' text separated by form feeds.
Run with the Python that Debian's `ocrmypdf` script names on its first line.
"""
import copy
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

XHTML = 'http://www.w3.org/1999/xhtml'
ET.register_namespace('', XHTML)


def main() -> None:
    hocr, workdir, *pdftotext_args = sys.argv[1:]
    tree = ET.parse(hocr)
    body = tree.getroot().find(f'{{{XHTML}}}body')
    pages = [div for div in body if div.get('class') == 'ocr_page']
    texts = []
    for index, page in enumerate(pages):
        single = copy.deepcopy(tree.getroot())
        single_body = single.find(f'{{{XHTML}}}body')
        for child in list(single_body):
            single_body.remove(child)
        single_body.append(copy.deepcopy(page))
        page_hocr = os.path.join(workdir, f'page{index + 1}.hocr')
        page_pdf = os.path.join(workdir, f'page{index + 1}.pdf')
        ET.ElementTree(single).write(page_hocr, encoding='utf-8', xml_declaration=True)
        res = re.search(r'scan_res (\d+)', page.get('title', ''))
        subprocess.run(
            [sys.executable, '-m', 'ocrmypdf.hocrtransform', '-r', res.group(1) if res else '300', page_hocr, page_pdf],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        out = subprocess.run(['pdftotext', *pdftotext_args, page_pdf, '-'], check=True, capture_output=True, text=True)
        texts.append(out.stdout.rstrip('\f'))
    sys.stdout.write('\f'.join(texts))


main()
