/* prompts and resources as rows: every row is sound (names the tools, toolsets and variables
 * that exist, completes what it says), renders, and builds and decodes its URIs. */
#include <ctype.h>

#include "check.h"
#include "mcp/registry.h"
#include "prompts/prompts.h"
#include "resources/resources.h"
#include "tools/row.h"

static const struct tool_def *tool_row(const char *name)
{
    for (size_t t = 0; t < row_table_count; t++)
        for (size_t i = 0; i < row_tables[t]->n; i++)
            if (!strcmp(row_tables[t]->rows[i].name, name))
                return &row_tables[t]->rows[i];
    return NULL;
}

static bool toolset_exists(const char *set)
{
    for (size_t t = 0; t < row_table_count; t++)
        for (size_t i = 0; i < row_tables[t]->n; i++)
            if (!strcmp(row_tables[t]->rows[i].toolset, set))
                return true;
    return false;
}

static bool listed(const char *const *tools, const char *name, size_t len)
{
    for (; tools && *tools; tools++)
        if (strlen(*tools) == len && !strncmp(*tools, name, len))
            return true;
    return false;
}

static void test_prompt_rows(void)
{
    static const char *const areas[] = {"config", "ecosystem", "educational", "migration",
                                        "security", "sip", "troubleshoot"};
    bool seen[7] = {0};

    CHECK(prompt_row_count >= 7);
    for (size_t i = 0; i < prompt_row_count; i++) {
        const struct prompt_def *d = &prompt_rows[i];
        bool known_area = false;

        for (size_t k = 0; k < i; k++)
            CHECK(strcmp(prompt_rows[k].name, d->name) != 0);
        for (size_t a = 0; a < 7; a++)
            if (!strcmp(areas[a], d->area))
                seen[a] = known_area = true;
        CHECK(known_area);
        CHECK(toolset_exists(d->toolset));
        CHECK(d->title && d->description && strlen(d->description) < 100);
        CHECK(strlen(d->text) < 900); /* tight: it costs context when rendered */
        /* every tool it lists exists */
        for (const char *const *t = d->tools; t && *t; t++) {
            if (!tool_row(*t))
                fprintf(stderr, "prompt %s names no tool %s\n", d->name, *t);
            CHECK(tool_row(*t) != NULL);
        }
        /* and every tool its text names is listed */
        for (const char *p = d->text; *p;) {
            size_t n = 0;
            while (isalnum((unsigned char)p[n]) || p[n] == '_')
                n++;
            if (n) {
                char word[128];
                snprintf(word, sizeof(word), "%.*s", (int)n, p);
                if (tool_row(word) && !listed(d->tools, p, n)) {
                    fprintf(stderr, "prompt %s: its text names %s, not in its tools\n", d->name,
                            word);
                    CHECK(0);
                }
                p += n;
            } else {
                p++;
            }
        }
        /* arguments: a required one needs no absent words, an optional one has them; every
         * node, Call-ID, AOR and set argument completes */
        for (const struct prompt_arg_def *a = d->args; a && a->name; a++) {
            CHECK(a->required || a->absent);
            if (!strcmp(a->name, "node"))
                CHECK(a->complete == COMPL_NODE);
            if (!strcmp(a->name, "callid"))
                CHECK(a->complete == COMPL_CALLID);
            if (!strcmp(a->name, "aor"))
                CHECK(a->complete == COMPL_AOR);
            if (!strcmp(a->name, "setid"))
                CHECK(a->complete == COMPL_DS_SET);
            CHECK(!(a->values && a->complete != COMPL_NONE));
        }
        char err[256] = "";
        char *text = prompt_render(d, NULL, NULL, NULL, err, sizeof(err));
        CHECK(text != NULL);
        CHECK(text && !strchr(text, '{') && !strchr(text, '}'));
        free(text);
    }
    for (size_t a = 0; a < 7; a++) {
        if (!seen[a])
            fprintf(stderr, "no prompt for the area %s\n", areas[a]);
        CHECK(seen[a]);
    }
}

static const char *why_homer(const char *tool, void *ctx, char *buf, size_t n)
{
    (void)ctx;
    if (strcmp(tool, "homer_get_call_flow") && strcmp(tool, "stats_get"))
        return NULL;
    snprintf(buf, n, "%s", tool[0] == 'h' ? "toolset homer" : "needs stats.read");
    return buf;
}

static void test_render(void)
{
    const struct prompt_def *call = NULL;
    char err[256] = "", *text;
    json_t *args;

    for (size_t i = 0; i < prompt_row_count; i++)
        if (!strcmp(prompt_rows[i].name, "troubleshoot_call"))
            call = &prompt_rows[i];
    CHECK(call != NULL);
    if (!call)
        return;
    args = json_pack("{s:s, s:s}", "callid", "abc@h", "node", "pbx1");
    text = prompt_render(call, args, why_homer, NULL, err, sizeof(err));
    CHECK_PREFIX(text, "Troubleshoot the call with Call-ID abc@h on pbx1.");
    CHECK_CONTAINS(text, "\nNot available here (skip those steps): homer_get_call_flow "
                         "(toolset homer), stats_get (needs stats.read)");
    free(text);
    json_object_del(args, "node");
    text = prompt_render(call, args, NULL, NULL, err, sizeof(err));
    CHECK_CONTAINS(text, "on the default node.");
    CHECK(!check_contains(text, "Not available"));
    free(text);
    json_decref(args);

    /* a text naming no argument of its row, and a literal brace */
    struct prompt_def bad = {.name = "bad", .text = "a {nope} b"};
    CHECK(prompt_render(&bad, NULL, NULL, NULL, err, sizeof(err)) == NULL);
    CHECK_STR(err, "prompt 'bad': its text names no argument of it at '{nope} b'");
    struct prompt_def brace = {.name = "brace", .text = "x {{ y"};
    text = prompt_render(&brace, NULL, NULL, NULL, err, sizeof(err));
    CHECK_STR(text, "x { y");
    free(text);
    struct prompt_def open = {.name = "open", .text = "x {y"};
    CHECK(prompt_render(&open, NULL, NULL, NULL, err, sizeof(err)) == NULL);
}

static void test_resource_rows(void)
{
    for (size_t i = 0; i < resource_row_count; i++) {
        const struct resource_def *d = &resource_rows[i];
        CHECK(check_prefix(d->uri, "opensips://{node}/") || check_prefix(d->uri, "opensips-mcp://"));
        CHECK(!d->toolset || toolset_exists(d->toolset));
        CHECK(d->read || d->mi);
        CHECK(d->name && d->title && d->description && d->mime);
        for (size_t k = 0; k < i; k++) {
            CHECK(strcmp(resource_rows[k].uri, d->uri) != 0);
            CHECK(strcmp(resource_rows[k].name, d->name) != 0);
        }
        /* every variable but {node} has its completion row, and every row its variable */
        for (const char *p = strchr(d->uri, '{'); p; p = strchr(p + 1, '{')) {
            const char *close = strchr(p, '}');
            bool found = close - p - 1 == 4 && !strncmp(p + 1, "node", 4);
            for (const struct resource_var *v = d->vars; v && v->name; v++)
                found |= strlen(v->name) == (size_t)(close - p - 1) &&
                         !strncmp(v->name, p + 1, strlen(v->name));
            CHECK(found);
        }
        for (const struct resource_var *v = d->vars; v && v->name; v++) {
            char needle[72];
            snprintf(needle, sizeof(needle), "{%s}", v->name);
            CHECK_CONTAINS(d->uri, needle);
            CHECK(v->complete != COMPL_NONE);
        }
        for (const char *const *m = d->mi; m && *m; m++)
            CHECK(strchr(*m, ':') != NULL);
    }
}

static const struct resource_def *resource_row(const char *uri)
{
    for (size_t i = 0; i < resource_row_count; i++)
        if (!strcmp(resource_rows[i].uri, uri))
            return &resource_rows[i];
    return NULL;
}

/* The rows of issue 16 item 2: a node's schema check and a config under the cfg root. */
static void test_cfg_db_rows(void)
{
    const struct resource_def *db = resource_row("opensips://{node}/db-schema");
    const struct resource_def *cfg = resource_row("opensips-mcp://cfg/{file}");
    char buf[128];
    json_t *vars = json_pack("{s:s}", "file", "sub/opensips.cfg"), *m;
    char *s;

    CHECK(db && cfg);
    if (!db || !cfg)
        return;
    CHECK_STR(db->toolset, "db");
    CHECK(db->scope == SCOPE_BIT(SCOPE_DB_READ));
    CHECK(db->read && !db->vars);
    CHECK_STR(cfg->toolset, "cfg");
    CHECK(cfg->scope == SCOPE_BIT(SCOPE_CONFIG_READ));
    CHECK_STR(cfg->mime, "text/plain");
    CHECK(cfg->vars && cfg->vars[0].complete == COMPL_CFG_FILE && !cfg->vars[1].name);
    CHECK_STR(compl_source_name(COMPL_CFG_FILE), "cfg_file");
    /* a nested path travels as one variable, '/' as %2F, and decodes back */
    CHECK(resources_uri(cfg, NULL, vars, buf, sizeof(buf)) == 0);
    CHECK_STR(buf, "opensips-mcp://cfg/sub%2Fopensips.cfg");
    m = uri_template_match(cfg->uri, buf);
    s = m ? resources_decode(json_string_value(json_object_get(m, "file"))) : NULL;
    CHECK_STR(s, "sub/opensips.cfg");
    free(s);
    json_decref(m);
    /* unencoded, the path matches no row */
    CHECK(uri_template_match(cfg->uri, "opensips-mcp://cfg/sub/opensips.cfg") == NULL);
    json_decref(vars);
}

static void test_uris(void)
{
    const struct resource_def *dlg = resource_row("opensips://{node}/dialog/{callid}");
    const struct resource_def *status = resource_row("opensips://{node}/status");
    char buf[256];
    json_t *vars = json_pack("{s:s}", "callid", "a/b c%d@h"), *m;
    char *s;

    CHECK(dlg && status);
    if (!dlg || !status)
        return;
    CHECK(resources_uri(dlg, "pbx1", vars, buf, sizeof(buf)) == 0);
    CHECK_STR(buf, "opensips://pbx1/dialog/a%2Fb%20c%25d@h");
    /* the registry matches it and the variable decodes back */
    m = uri_template_match(dlg->uri, buf);
    CHECK(m != NULL);
    s = resources_decode(json_string_value(json_object_get(m, "callid")));
    CHECK_STR(s, "a/b c%d@h");
    free(s);
    json_decref(m);
    CHECK(resources_uri(status, "pbx1", NULL, buf, sizeof(buf)) == 0);
    CHECK_STR(buf, "opensips://pbx1/status");
    CHECK(resources_uri(dlg, "pbx1", NULL, buf, sizeof(buf)) == -1);   /* no callid */
    CHECK(resources_uri(status, "pbx1", NULL, buf, 10) == -1);         /* too small */
    json_decref(vars);

    CHECK(resources_decode("%zz") == NULL);
    CHECK(resources_decode("ab%2") == NULL);
    CHECK(resources_decode("a%00b") == NULL);
    char lng[RESOURCE_VAR_MAX + 2];
    memset(lng, 'x', sizeof(lng) - 1);
    lng[sizeof(lng) - 1] = '\0';
    CHECK(resources_decode(lng) == NULL);
    lng[RESOURCE_VAR_MAX] = '\0';
    s = resources_decode(lng);
    CHECK(s && strlen(s) == RESOURCE_VAR_MAX);
    free(s);

    CHECK(resources_watch(dlg, "E_DLG_STATE_CHANGED"));
    CHECK(!resources_watch(dlg, "E_UL_AOR_INSERT"));
    CHECK(!resources_watch(status, "E_DLG_STATE_CHANGED"));
}

static void test_events(void)
{
    char uris[4][RESOURCE_URI_MAX];
    json_t *ul = json_pack("{s:s, s:s, s:s}", "domain", "location", "aor", "alice@example.com",
                           "uri", "sip:alice@10.0.0.1");
    json_t *dlg = json_pack("{s:s, s:s, s:i}", "callid", "a/b@h", "from_tag", "x", "new_state", 5);
    json_t *none = json_object();

    CHECK(resources_event_uris("pbx1", "E_UL_CONTACT_INSERT", ul, uris, 4) == 1);
    CHECK_STR(uris[0], "opensips://pbx1/registrations/alice@example.com");
    CHECK(resources_event_uris("pbx1", "E_DLG_STATE_CHANGED", dlg, uris, 4) == 2);
    CHECK_STR(uris[0], "opensips://pbx1/dialogs");
    CHECK_STR(uris[1], "opensips://pbx1/dialog/a%2Fb@h");
    CHECK(resources_event_uris("pbx2", "E_DISPATCHER_STATUS", none, uris, 4) == 1);
    CHECK_STR(uris[0], "opensips://pbx2/dispatcher");
    /* an event lacking the variable, an event nothing watches, no room */
    CHECK(resources_event_uris("pbx1", "E_DLG_STATE_CHANGED", none, uris, 4) == 1);
    CHECK(resources_event_uris("pbx1", "E_CORE_THRESHOLD", ul, uris, 4) == 0);
    CHECK(resources_event_uris("pbx1", "E_UL_AOR_INSERT", ul, uris, 0) == 0);
    json_decref(ul);
    json_decref(dlg);
    json_decref(none);
}

int main(void)
{
    test_events();
    test_prompt_rows();
    test_render();
    test_resource_rows();
    test_uris();
    test_cfg_db_rows();
    return check_done("prompts_resources");
}
