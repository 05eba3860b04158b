/* mi/catalogue_data: the OpenSIPS MI catalogues (data/catalogue/, 4.0.1 and 3.6.8) embedded in
 * the binary with .incbin, NUL-terminated; parsed lazily by catalogue.c on first use. The
 * Makefile names the directory (MI_CATALOGUE_DIR) and makes this object depend on the files. */
#include "mi/catalogue.h"

#ifndef MI_CATALOGUE_DIR
#define MI_CATALOGUE_DIR "data/catalogue"
#endif

#define MI_INCBIN(sym, file)                                                                 \
    __asm__(".section .rodata\n"                                                             \
            ".balign 16\n"                                                                   \
            ".globl " #sym "\n"                                                              \
            ".type " #sym ", @object\n" #sym ":\n"                                           \
            ".incbin \"" MI_CATALOGUE_DIR "/" file "\"\n"                                     \
            ".byte 0\n"                                                                      \
            ".globl " #sym "_end\n" #sym "_end:\n"                                           \
            ".previous\n")

MI_INCBIN(mi_catalogue_40_json, "opensips-mi-catalogue-4.0.1.json");
MI_INCBIN(mi_catalogue_36_json, "opensips-mi-catalogue-3.6.8.json");
