/* state_usrloc: the location table (usrloc): dump (full, brief), show_contact, add, rm,
 * rm_contact; Expires counts down. Starts from http/ul_dump.json. 3.6.8 (use_domain=0) stores AORs
 * without their domain and strips it from the AOR asked for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "sim.h"
#include "state.h"

#define UL_EXPIRY_KEY "\x01expires_at"

static json_t *ul_initial; /* the recorded Domains array */
static json_t *ul_domains; /* current */

/* Turn the recorded relative Expires into an absolute time, so that it counts down. */
static void ul_anchor(json_t *domains, time_t now)
{
    size_t i, j, k;
    json_t *dom, *aor, *ct;
    json_array_foreach(domains, i, dom) {
        json_array_foreach(json_object_get(dom, "AORs"), j, aor) {
            json_array_foreach(json_object_get(aor, "Contacts"), k, ct) {
                json_int_t e = json_integer_value(json_object_get(ct, "Expires"));
                json_object_set_new(ct, UL_EXPIRY_KEY, json_integer((json_int_t)now + e));
            }
        }
    }
}

int usrloc_state_init(void)
{
    ul_initial = recorded_result("ul_dump.json", "Domains");
    if (json_array_size(ul_initial) == 0)
        return -1;
    usrloc_state_reset();
    return ul_domains ? 0 : -1;
}

void usrloc_state_reset(void)
{
    json_decref(ul_domains);
    ul_domains = json_deep_copy(ul_initial);
    ul_anchor(ul_domains, time(NULL));
}

/* Expired contacts go, and AORs left without contacts with them. */
static void ul_prune(time_t now)
{
    size_t i;
    json_t *dom;
    json_array_foreach(ul_domains, i, dom) {
        json_t *aors = json_object_get(dom, "AORs");
        for (size_t j = 0; j < json_array_size(aors);) {
            json_t *cts = json_object_get(json_array_get(aors, j), "Contacts");
            for (size_t k = 0; k < json_array_size(cts);) {
                json_t *at = json_object_get(json_array_get(cts, k), UL_EXPIRY_KEY);
                if (at && json_integer_value(at) <= now)
                    json_array_remove(cts, k);
                else
                    k++;
            }
            if (json_array_size(cts) == 0)
                json_array_remove(aors, j);
            else
                j++;
        }
    }
}

static json_t *ul_contact_out(json_t *ct, time_t now)
{
    json_t *c = json_copy(ct);
    json_t *at = json_object_get(c, UL_EXPIRY_KEY);
    if (at) {
        json_object_set_new(c, "Expires", json_integer(json_integer_value(at) - now));
        json_object_del(c, UL_EXPIRY_KEY);
    }
    return c;
}

static json_t *ul_aor_out(json_t *aor, time_t now, bool brief)
{
    json_t *o = json_pack("{s:O}", "AOR", json_object_get(aor, "AOR"));
    if (!o || brief)
        return o;
    json_t *cts = json_array();
    size_t k;
    json_t *ct;
    json_array_foreach(json_object_get(aor, "Contacts"), k, ct)
        json_array_append_new(cts, ul_contact_out(ct, now));
    json_object_set_new(o, "Contacts", cts);
    return o;
}

int ul_dump(struct cmd_call *c)
{
    long long brief = 0;
    if (cmd_param_int(c, "brief", &brief) < 0)
        return CMD_DONE;
    time_t now = time(NULL);
    ul_prune(now);
    json_t *doms = json_array();
    size_t i, j;
    json_t *dom, *aor;
    json_array_foreach(ul_domains, i, dom) {
        json_t *aors = json_array();
        json_array_foreach(json_object_get(dom, "AORs"), j, aor)
            json_array_append_new(aors, ul_aor_out(aor, now, brief != 0));
        json_array_append_new(doms, json_pack("{s:O,s:O,s:o}", "name", json_object_get(dom, "name"),
                                              "hash_size", json_object_get(dom, "hash_size"),
                                              "AORs", aors));
    }
    return cmd_result(c, json_pack("{s:o}", "Domains", doms));
}

/* table_name + aor -> the domain and (if present) the AOR's index; -1 after an error reply */
static int ul_locate(struct cmd_call *c, json_t **dom_out, const char **aor_out, long *idx)
{
    const char *table = NULL, *aor = NULL;
    if (cmd_param_str(c, "table_name", &table) < 0 || cmd_param_str(c, "aor", &aor) < 0)
        return -1;
    if (!table || !aor) {
        cmd_error(c, -32602, "Invalid params", "Too few or too many parameters");
        return -1;
    }
    json_t *dom = NULL;
    size_t i;
    json_t *d;
    json_array_foreach(ul_domains, i, d) {
        const char *n = json_string_value(json_object_get(d, "name"));
        if (n && strcmp(n, table) == 0)
            dom = d;
    }
    if (!dom) {
        cmd_error(c, 404, "Table not found", NULL);
        return -1;
    }
    static __thread char stripped[1024];
    if (sim.version == SIM_V36 && strchr(aor, '@')) {
        snprintf(stripped, sizeof stripped, "%.*s", (int)(strchr(aor, '@') - aor), aor);
        aor = stripped;
    }
    *dom_out = dom;
    *aor_out = aor;
    *idx = -1;
    json_t *a;
    json_array_foreach(json_object_get(dom, "AORs"), i, a) {
        const char *n = json_string_value(json_object_get(a, "AOR"));
        if (n && strcmp(n, aor) == 0) {
            *idx = (long)i;
            break;
        }
    }
    return 0;
}

int ul_show_contact(struct cmd_call *c)
{
    json_t *dom;
    const char *aor;
    long idx;
    time_t now = time(NULL);
    ul_prune(now);
    if (ul_locate(c, &dom, &aor, &idx) < 0)
        return CMD_DONE;
    if (idx < 0)
        return cmd_error(c, 404, "AOR not found", NULL);
    return cmd_result(c, ul_aor_out(json_array_get(json_object_get(dom, "AORs"), (size_t)idx), now,
                                    false));
}

/* usrloc/ul_evi.c: the AOR events carry domain and aor, the contact events the contact's uri
 * too (and more the simulator does not keep). */
static void ul_event(const char *event, json_t *dom, const char *aor, const char *contact)
{
    json_t *p = json_pack("{s:O?, s:s}", "domain", json_object_get(dom, "name"), "aor", aor);
    if (p && contact)
        json_object_set_new(p, "uri", json_string(contact));
    events_raise(event, p);
}

int ul_add(struct cmd_call *c)
{
    json_t *dom;
    const char *aor, *contact = NULL;
    long idx;
    long long expires = 0, flags = 0, cflags = 0, methods = 0;
    /* usrloc:add reads cflags as an integer bitmask (modules/usrloc/ul_mi.c): "" is a bad type */
    if (ul_locate(c, &dom, &aor, &idx) < 0 || cmd_param_str(c, "contact", &contact) < 0 ||
        cmd_param_int(c, "expires", &expires) < 0 || cmd_param_int(c, "flags", &flags) < 0 ||
        cmd_param_int(c, "cflags", &cflags) < 0 || cmd_param_int(c, "methods", &methods) < 0)
        return CMD_DONE;
    char cfs[24] = "";
    if (cflags)
        snprintf(cfs, sizeof cfs, "%lld", cflags);
    json_t *q = cmd_param(c, "q");
    char qs[32] = "";
    if (json_is_number(q))
        snprintf(qs, sizeof qs, "%g", json_number_value(q));
    else if (json_is_string(q))
        snprintf(qs, sizeof qs, "%s", json_string_value(q));
    if (!contact || expires < 0)
        return cmd_error(c, 400, "Bad parameter value", NULL);
    time_t now = time(NULL);
    json_t *aors = json_object_get(dom, "AORs");
    json_t *a = idx >= 0 ? json_array_get(aors, (size_t)idx) : NULL;
    if (!a) {
        a = json_pack("{s:s,s:[]}", "AOR", aor, "Contacts");
        if (!a || json_array_append_new(aors, a) < 0)
            return cmd_result(c, NULL);
        ul_event("E_UL_AOR_INSERT", dom, aor, NULL);
    }
    json_t *cts = json_object_get(a, "Contacts");
    size_t k;
    json_t *ct;
    json_array_foreach(cts, k, ct) {
        const char *u = json_string_value(json_object_get(ct, "Contact"));
        if (u && strcmp(u, contact) == 0) {
            json_object_set_new(ct, UL_EXPIRY_KEY, json_integer((json_int_t)(now + expires)));
            ul_event("E_UL_CONTACT_UPDATE", dom, aor, contact);
            return cmd_result(c, json_string("OK"));
        }
    }
    char cid[32];
    snprintf(cid, sizeof cid, "%llu", (unsigned long long)(now * 1000003ull + json_array_size(aors)));
    json_t *n = json_pack("{s:s,s:s,s:I,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:I}", "Contact",
                          contact, "ContactID", cid, "Expires", (json_int_t)expires, "Q", qs,
                          "Callid", "mi-ul_add", "Cseq", 1, "User-agent", "", "State", "CS_NEW",
                          "Flags", "", "Cflags", cfs, "Socket", "", "Methods",
                          (json_int_t)methods);
    if (n) {
        /* Flags is a number in the dumps */
        json_object_set_new(n, "Flags", json_integer(flags));
        json_object_set_new(n, UL_EXPIRY_KEY, json_integer((json_int_t)(now + expires)));
    }
    if (!n || json_array_append_new(cts, n) < 0)
        return cmd_result(c, NULL);
    ul_event("E_UL_CONTACT_INSERT", dom, aor, contact);
    return cmd_result(c, json_string("OK"));
}

int ul_rm(struct cmd_call *c)
{
    json_t *dom;
    const char *aor;
    long idx;
    if (ul_locate(c, &dom, &aor, &idx) < 0)
        return CMD_DONE;
    if (idx < 0)
        return cmd_error(c, 404, "AOR not found", NULL);
    ul_event("E_UL_AOR_DELETE", dom, aor, NULL);
    json_array_remove(json_object_get(dom, "AORs"), (size_t)idx);
    return cmd_result(c, json_string("OK"));
}

int ul_rm_contact(struct cmd_call *c)
{
    json_t *dom;
    const char *aor, *contact = NULL;
    long idx;
    if (ul_locate(c, &dom, &aor, &idx) < 0 || cmd_param_str(c, "contact", &contact) < 0)
        return CMD_DONE;
    if (idx < 0)
        return cmd_error(c, 404, "AOR not found", NULL);
    json_t *aors = json_object_get(dom, "AORs");
    json_t *cts = json_object_get(json_array_get(aors, (size_t)idx), "Contacts");
    size_t k;
    json_t *ct;
    json_array_foreach(cts, k, ct) {
        const char *u = json_string_value(json_object_get(ct, "Contact"));
        if (u && contact && strcmp(u, contact) == 0) {
            ul_event("E_UL_CONTACT_DELETE", dom, aor, contact);
            json_array_remove(cts, k);
            if (json_array_size(cts) == 0) {
                ul_event("E_UL_AOR_DELETE", dom, aor, NULL);
                json_array_remove(aors, (size_t)idx);
            }
            return cmd_result(c, json_string("OK"));
        }
    }
    return cmd_error(c, 404, "Contact not found", NULL);
}

void usrloc_counts(long long *aors, long long *contacts)
{
    ul_prune(time(NULL));
    long long a = 0, n = 0;
    size_t i, j;
    json_t *dom, *aor;
    json_array_foreach(ul_domains, i, dom) {
        json_array_foreach(json_object_get(dom, "AORs"), j, aor) {
            a++;
            n += (long long)json_array_size(json_object_get(aor, "Contacts"));
        }
    }
    *aors = a;
    *contacts = n;
}

int usrloc_generate(unsigned long n)
{
    json_t *aors = json_object_get(json_array_get(ul_domains, 0), "AORs");
    time_t now = time(NULL);
    const char *dom = sim.version == SIM_V40 ? "@10.1.0.1" : "";
    for (unsigned long i = 0; i < n; i++) {
        char aor[64], uri[96], cid[32], callid[64];
        snprintf(aor, sizeof aor, "gen%lu%s", i, dom);
        snprintf(uri, sizeof uri, "sip:gen%lu@10.1.%lu.%lu:5060", i, (i >> 8) & 255, i & 255);
        snprintf(cid, sizeof cid, "%llu", 7000000000000000000ull + i);
        snprintf(callid, sizeof callid, "gen-reg-%lu@10.1.0.1", i);
        json_int_t exp = 600 + (json_int_t)(i % 3000);
        json_t *a = json_pack("{s:s,s:[{s:s,s:s,s:I,s:s,s:s,s:i,s:s,s:s,s:i,s:s,s:s,s:I,s:I}]}",
                              "AOR", aor, "Contacts", "Contact", uri, "ContactID", cid, "Expires",
                              exp, "Q", "", "Callid", callid, "Cseq", 1, "User-agent",
                              "sim-generated", "State", "CS_NEW", "Flags", 0, "Cflags", "",
                              "Socket", "udp:10.1.0.1:5060", "Methods", (json_int_t)4294967295ll,
                              UL_EXPIRY_KEY, (json_int_t)now + exp);
        if (!a || json_array_append_new(aors, a) < 0)
            return -1;
    }
    return 0;
}
