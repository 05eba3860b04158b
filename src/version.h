/* version: the program's name and version, shown in serverInfo and --version. */
#ifndef VERSION_H
#define VERSION_H
#define OPENSIPS_MCP_NAME "opensips-mcp"
#define OPENSIPS_MCP_TITLE "OpenSIPS MCP server"
#define OPENSIPS_MCP_VERSION "0.1.0"
#endif
