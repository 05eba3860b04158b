/* row_links: the resource_link items a row's result carries — variables from the arguments or
 * from the result's items, the cap, repeats, a missing or unusable variable, a resource not
 * registered, the node, the percent-encoding of a Call-ID, and the rows' own links are sound. */
#include "check.h"
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

static const char *uri_at(const json_t *links, size_t i)
{
    return json_string_value(json_object_get(json_array_get(links, i), "uri"));
}

/* Refuses the rows named by ctx (a resource row's name), as an unregistered toolset would. */
static bool ok_but(const struct resource_def *r, void *ctx)
{
    return strcmp(r->name, ctx) != 0;
}

static bool ok_none(const struct resource_def *r, void *ctx)
{
    (void)r, (void)ctx;
    return false;
}

static void test_from_args(void)
{
    const struct tool_def *push = tool_row("dlg_push_var");
    json_t *res = json_pack("{s:{s:s}, s:s}", "result", "x", "y", "node", "pbx1");
    json_t *args = json_pack("{s:s, s:s}", "callid", "a/b c@10.0.0.1", "from_tag", "t");
    json_t *links = row_links(push, args, res, NULL, NULL), *l;

    CHECK(json_array_size(links) == 1);
    /* '/' and ' ' escaped (a variable matches no '/'), '@' kept as resources_uri does */
    CHECK_STR(uri_at(links, 0), "opensips://pbx1/dialog/a%2Fb%20c@10.0.0.1");
    l = json_array_get(links, 0);
    CHECK_STR(json_string_value(json_object_get(l, "type")), "resource_link");
    CHECK_STR(json_string_value(json_object_get(l, "name")), "node-dialog");
    CHECK_STR(json_string_value(json_object_get(l, "mimeType")), "application/json");
    CHECK(json_object_get(l, "title") != NULL);
    char *one = json_dumps(l, JSON_COMPACT);
    CHECK(one && strlen(one) < 150); /* a link costs about 130 bytes */
    free(one);
    /* the decoded form is the Call-ID again */
    char *back = resources_decode("a%2Fb%20c@10.0.0.1");
    CHECK_STR(back, "a/b c@10.0.0.1");
    free(back);
    json_decref(links);

    /* missing, empty or not a string: no link, and NULL rather than [] */
    json_object_del(args, "callid");
    CHECK(row_links(push, args, res, NULL, NULL) == NULL);
    json_object_set_new(args, "callid", json_string(""));
    CHECK(row_links(push, args, res, NULL, NULL) == NULL);
    json_object_set_new(args, "callid", json_integer(7));
    CHECK(row_links(push, args, res, NULL, NULL) == NULL);
    /* longer than resources/read takes */
    char big[RESOURCE_VAR_MAX + 2];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    json_object_set_new(args, "callid", json_string(big));
    CHECK(row_links(push, args, res, NULL, NULL) == NULL);
    big[RESOURCE_VAR_MAX] = '\0';
    json_object_set_new(args, "callid", json_string(big));
    links = row_links(push, args, res, NULL, NULL);
    CHECK(json_array_size(links) == 1);
    json_decref(links);

    /* no node in the result (a fan-out's answer): no link */
    json_object_set_new(args, "callid", json_string("c1"));
    json_object_del(res, "node");
    CHECK(row_links(push, args, res, NULL, NULL) == NULL);
    json_object_set_new(res, "nodes", json_pack("{s:{s:s}}", "pbx1", "node", "pbx1"));
    CHECK(row_links(push, args, res, NULL, NULL) == NULL);
    json_decref(args);
    json_decref(res);
}

static void test_from_items(void)
{
    const struct tool_def *list = tool_row("dlg_list");
    json_t *args = json_object();
    json_t *res = json_pack("{s:s, s:[{s:s}, {s:s}, {s:s}, {s:i}, {s:s}], s:i}", "node", "pbx1",
                            "items", "callid", "c1", "ID", "no-callid", "callid", "c2", "callid",
                            5, "callid", "c1", "total", 5);
    json_t *links = row_links(list, args, res, NULL, NULL);

    /* the list's own resource first, then each item's, an item without a usable callid
     * skipped and a repeated one given once */
    CHECK(json_array_size(links) == 3);
    CHECK_STR(uri_at(links, 0), "opensips://pbx1/dialogs");
    CHECK_STR(uri_at(links, 1), "opensips://pbx1/dialog/c1");
    CHECK_STR(uri_at(links, 2), "opensips://pbx1/dialog/c2");
    json_decref(links);

    /* the cap: a page of 60 dialogs links ROW_LINKS_MAX, the first ones */
    json_t *many = json_array();
    for (int i = 0; i < 60; i++) {
        char id[24];
        snprintf(id, sizeof(id), "call-%d", i);
        json_array_append_new(many, json_pack("{s:s}", "callid", id));
    }
    json_object_set_new(res, "items", many);
    links = row_links(list, args, res, NULL, NULL);
    CHECK(json_array_size(links) == ROW_LINKS_MAX);
    CHECK_STR(uri_at(links, 1), "opensips://pbx1/dialog/call-0");
    CHECK_STR(uri_at(links, ROW_LINKS_MAX - 1), "opensips://pbx1/dialog/call-8");
    char *text = json_dumps(links, JSON_COMPACT);
    CHECK(text && strlen(text) < ROW_LINKS_MAX * 150); /* about 130 bytes a link */
    free(text);
    json_decref(links);

    /* the items' resource not registered (the dialog toolset off): only the list's; neither:
     * nothing */
    links = row_links(list, args, res, ok_but, "node-dialog");
    CHECK(json_array_size(links) == 1);
    CHECK_STR(uri_at(links, 0), "opensips://pbx1/dialogs");
    json_decref(links);
    links = row_links(list, args, res, ok_but, "node-dialogs");
    CHECK(json_array_size(links) == ROW_LINKS_MAX);
    CHECK_STR(uri_at(links, 0), "opensips://pbx1/dialog/call-0");
    json_decref(links);
    CHECK(row_links(list, args, res, ok_none, NULL) == NULL);

    /* no items member, or not an array: the list's link alone */
    json_object_set_new(res, "items", json_string("oops"));
    links = row_links(list, args, res, NULL, NULL);
    CHECK(json_array_size(links) == 1);
    json_decref(links);
    json_decref(args);
    json_decref(res);
}

static void test_condition_and_plain(void)
{
    const struct tool_def *show = tool_row("ul_show_contact"), *ds = tool_row("dispatcher_list");
    const struct tool_def *plain = tool_row("server_version");
    json_t *res = json_pack("{s:s, s:s, s:[]}", "node", "pbx1", "AOR", "alice@example.com",
                            "Contacts");
    json_t *args = json_pack("{s:s, s:s}", "aor", "alice@example.com", "table_name", "location");
    json_t *links = row_links(show, args, res, NULL, NULL);

    CHECK(json_array_size(links) == 1);
    CHECK_STR(uri_at(links, 0), "opensips://pbx1/registrations/alice@example.com");
    json_decref(links);
    /* the resource reads table location: another table gets no link */
    json_object_set_new(args, "table_name", json_string("other"));
    CHECK(row_links(show, args, res, NULL, NULL) == NULL);
    json_object_del(args, "table_name");
    CHECK(row_links(show, args, res, NULL, NULL) == NULL);

    /* a resource with only {node} */
    links = row_links(ds, args, res, NULL, NULL);
    CHECK(json_array_size(links) == 1);
    CHECK_STR(uri_at(links, 0), "opensips://pbx1/dispatcher");
    json_decref(links);
    /* a node name that needs escaping is escaped too */
    json_object_set_new(res, "node", json_string("a b"));
    links = row_links(ds, args, res, NULL, NULL);
    CHECK_STR(uri_at(links, 0), "opensips://a%20b/dispatcher");
    json_decref(links);
    /* a row without links */
    CHECK(plain->links == NULL);
    CHECK(row_links(plain, args, res, NULL, NULL) == NULL);
    json_decref(args);
    json_decref(res);
}

/* Every link of every row names a resource row and the arguments it takes; a row that links
 * to a URI no resource has, or by an argument it lacks, fails its schema's build. */
static void test_rows_sound(void)
{
    size_t linked = 0;

    for (size_t t = 0; t < row_table_count; t++)
        for (size_t i = 0; i < row_tables[t]->n; i++) {
            const struct tool_def *d = &row_tables[t]->rows[i];
            for (const struct row_link *l = d->links; l && l->uri; l++) {
                CHECK(resources_find(l->uri) != NULL);
                linked++;
            }
            if (d->links) {
                json_t *in = row_schema(d, false);
                CHECK(in != NULL);
                json_decref(in);
            }
        }
    CHECK(linked >= 12);
    CHECK(resources_find("opensips://{node}/nothing") == NULL);
    CHECK(resources_find(NULL) == NULL);

    const struct tool_def bad_uri = {
        .name = "bad_link", .title = "Bad", .description = "x", .toolset = "dialog",
        .backend = BACKEND_MI, .mi = {.cmd = "core:version"}, .flags = TOOL_F_READONLY,
        .links = LINKS({.uri = "opensips://{node}/nothing"})};
    const struct tool_def bad_arg = {
        .name = "bad_link_arg", .title = "Bad", .description = "x", .toolset = "dialog",
        .backend = BACKEND_MI, .mi = {.cmd = "core:version"}, .flags = TOOL_F_READONLY,
        .links = LINKS({.uri = "opensips://{node}/dialog/{callid}"})};
    const struct tool_def bad_cond = {
        .name = "bad_link_cond", .title = "Bad", .description = "x", .toolset = "dialog",
        .backend = BACKEND_MI, .mi = {.cmd = "core:version"}, .flags = TOOL_F_READONLY,
        .args = ARGS({.name = "callid", .type = T_STRING}),
        .links = LINKS({.uri = "opensips://{node}/dialog/{callid}", .arg = "callid"})};
    const struct tool_def good = {
        .name = "good_link", .title = "Good", .description = "x", .toolset = "dialog",
        .backend = BACKEND_MI, .mi = {.cmd = "core:version"}, .flags = TOOL_F_READONLY,
        .args = ARGS({.name = "cid", .type = T_STRING}),
        .links = LINKS({.uri = "opensips://{node}/dialog/{callid}", .field = "cid"})};
    CHECK(row_schema(&bad_uri, false) == NULL);
    CHECK(row_schema(&bad_arg, false) == NULL);
    CHECK(row_schema(&bad_cond, false) == NULL);
    json_t *in = row_schema(&good, false);
    CHECK(in != NULL);
    json_decref(in);

    /* field: the variable takes another argument's name */
    json_t *args = json_pack("{s:s}", "cid", "c9"), *res = json_pack("{s:s}", "node", "n1");
    json_t *links = row_links(&good, args, res, NULL, NULL);
    CHECK(json_array_size(links) == 1);
    CHECK_STR(uri_at(links, 0), "opensips://n1/dialog/c9");
    json_decref(links);
    json_decref(args);
    json_decref(res);
}

int main(void)
{
    test_from_args();
    test_from_items();
    test_condition_and_plain();
    test_rows_sound();
    return check_done("row_links");
}
