/* resources/docs_data: the docs this server serves as resources (docs/security.md, docs/mi.md)
 * embedded in the binary with .incbin, NUL-terminated, so that an installed binary needs no
 * docs directory; the Makefile names the directory (DOCS_DIR) and makes this object depend on
 * the files. docs/tools.md is not embedded: it is generated from the rows when read. */
#ifndef DOCS_DIR
#define DOCS_DIR "docs"
#endif

#define DOC_INCBIN(sym, file)                                                                \
    __asm__(".section .rodata\n"                                                             \
            ".balign 16\n"                                                                   \
            ".globl " #sym "\n"                                                              \
            ".type " #sym ", @object\n" #sym ":\n"                                           \
            ".incbin \"" DOCS_DIR "/" file "\"\n"                                            \
            ".byte 0\n"                                                                      \
            ".previous\n")

DOC_INCBIN(resources_doc_security, "security.md");
DOC_INCBIN(resources_doc_mi, "mi.md");
