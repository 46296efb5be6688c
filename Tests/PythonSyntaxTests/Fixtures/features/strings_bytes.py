'single' "double" '''triple
quoted''' """also
triple"""
u"unicode kind" "concat"
"a" u"b"
r"raw \n \d" R'raw'
b"bytes \x00\xff" rb"raw\bytes" BR'x' Rb"y"
b"con" b"cat"
"escapes \a\b\f\n\r\t\v \\ \' \" \101 \x41 \u0041 \U0001F600 \N{LATIN SMALL LETTER E WITH ACUTE}"
"line \
continuation"
"invalid \q escape"
"\ud800 lone surrogate"
"\udc00\ud800"
"non-ascii: héllo wörld ✓ 😀"
''
b''
"tab\there"
'\0\00\000\400'
