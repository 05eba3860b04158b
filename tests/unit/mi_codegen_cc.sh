#!/bin/sh
# mi_codegen_cc: compile a module's C file, as OpenSIPS's own build compiles it, to an object.
# usage: mi_codegen_cc.sh SRC_TREE MODULE FILE.c SOURCE OUT.o
#   SRC_TREE  an OpenSIPS source tree (read only: never written)
#   MODULE    the module's directory under modules/ (pike)
#   FILE.c    the file's name in that directory (pike.c), whose compile line is wanted
#   SOURCE    the text to compile instead of that file (the patched one)
# The compile line comes from `make -n` in a scratch copy of the tree's makefiles and the
# module's directory (the tree itself is never built); SOURCE is compiled with it, with the
# module's directory first on the include path so that its "../../x.h" and "x.h" includes find
# the tree's headers. When the original file compiles without a warning, -Werror is added, so the
# patch may add none. Prints the command; exits with the compiler's status.
set -eu
tree=$1 mod=$2 file=$3 source=$4 out=$5
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mi_codegen_cc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for f in "$tree"/Makefile* "$tree"/*.sh; do [ -f "$f" ] && cp "$f" "$tmp/"; done
mkdir -p "$tmp/modules/$mod" "$tmp/cc/modules/$mod"
cp "$tree/modules/$mod/Makefile" "$tree/modules/$mod"/*.c "$tmp/modules/$mod/"
# as a top-level make: under `make unit` MAKELEVEL and MAKEFLAGS would make OpenSIPS's
# Makefile.defs expect the defines from a parent make and leave them out
line=$(cd "$tmp/modules/$mod" && env -u MAKELEVEL -u MAKEFLAGS -u MFLAGS -u MAKEOVERRIDES \
       make -n 2>/dev/null | grep -E "^(cc|gcc|clang)[^ ]* .* -c $file " | head -1)
if [ -z "$line" ]; then
    echo "mi_codegen_cc: no compile line for $file in make -n of modules/$mod" >&2
    exit 2
fi
# the flags between the compiler and "-c FILE -o OBJ"
flags=$(printf '%s\n' "$line" | sed -e 's/^[^ ]* //' -e "s/ -c $file -o [^ ]*\$//")
cc=${line%% *}
cp "$tree/modules/$mod/$file" "$tmp/cc/modules/$mod/orig_$file"
cp "$source" "$tmp/cc/modules/$mod/$file"
werror=
if eval "$cc $flags -I'$tree/modules/$mod' -c '$tmp/cc/modules/$mod/orig_$file' -o '$tmp/orig.o'" \
       2>"$tmp/orig.err" && [ ! -s "$tmp/orig.err" ]; then
    werror=-Werror
fi
echo "$cc $flags $werror -I$tree/modules/$mod -c $file -o $out"
eval "$cc $flags $werror -I'$tree/modules/$mod' -c '$tmp/cc/modules/$mod/$file' -o '$out'"
