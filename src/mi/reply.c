/* mi/reply: an MI reply's bytes to a result or a typed error. The bytes come from the network
 * and may be anything: nothing here reads past len or trusts a NUL, and every piece of the reply
 * quoted in an error text is bounded and made printable. */
#include "mi/reply.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonload.h"

/* At most max bytes of s[0..len) for a message: trailing whitespace dropped, anything not
 * printable (control bytes, NUL, non-ASCII) shown as '.'. out holds max + 1 bytes. */
static const char *excerpt(const char *s, size_t len, size_t max, char *out)
{
    size_t n = len < max ? len : max;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    for (size_t i = 0; i < n; i++)
        out[i] = isprint((unsigned char)s[i]) ? s[i] : '.';
    out[n] = '\0';
    return out;
}

/* An error's "data" member as bounded printable text: a string as it is, anything else as
 * compact JSON; empty when absent or null. */
static void error_data(const json_t *data, char *out, size_t size)
{
    out[0] = '\0';
    if (!data || json_is_null(data))
        return;
    if (json_is_string(data)) {
        excerpt(json_string_value(data), json_string_length(data), size - 1, out);
        return;
    }
    char *s = json_dumps(data, JSON_COMPACT);
    if (s)
        excerpt(s, strlen(s), size - 1, out);
    free(s);
}

/* "500 Internal error" and friends: a plain-text status instead of JSON (mi_datagram, mi_fifo). */
bool mi_reply_plain_status(const char *s, size_t len, int *code)
{
    if (len < 4 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[2]) || s[3] != ' ')
        return false;
    *code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    return true;
}

enum mi_err mi_reply_parse(const char *buf, size_t len, json_int_t expected_id,
                           const struct mi_reply_from *from, json_t **result, struct mi_error *e)
{
    static const struct mi_reply_from nobody = {"?", "?", "?", false};
    const struct mi_reply_from *f = from ? from : &nobody;
    char head[101];
    int code;

    if (!len)
        return mi_error_set(e, MI_ERR_GARBAGE, 0, "'%s' sent an empty reply to '%s'", f->address,
                            f->method);
    if (mi_reply_plain_status(buf, len, &code)) {
        excerpt(buf, len, 100, head);
        if (code == 500 && f->datagram)
            return mi_error_set(e, MI_ERR_TOO_LARGE, 500,
                                "the reply to '%s' did not fit one datagram (node answered "
                                "\"%.60s\"); narrow the request or use http or fifo",
                                f->method, head);
        if (code >= 500)
            return mi_error_set(e, MI_ERR_SERVER, code, "'%s' answered \"%s\" to '%s'",
                                f->address, head, f->method);
        return mi_error_set(e, MI_ERR_GARBAGE, code, "'%s' refused the request '%s': \"%s\"",
                            f->address, f->method, head);
    }
    json_error_t je;
    json_t *r = jsonload_bytes(buf, len, 0, &je);
    enum mi_err rc = MI_OK;
    if (!r && json_error_code(&je) == json_error_stack_overflow)
        return mi_error_set(e, MI_ERR_GARBAGE, 0,
                            "reply from '%s' to '%s' is nested deeper than %d levels of arrays "
                            "and objects (at byte %d); the node is not answering as OpenSIPS "
                            "does",
                            f->address, f->method, JSONLOAD_DEPTH_MAX, je.position);
    if (!r)
        return mi_error_set(e, MI_ERR_GARBAGE, 0,
                            "reply from '%s' to '%s' is not JSON (%s at byte %d; starts \"%s\")",
                            f->address, f->method, je.text, je.position,
                            excerpt(buf, len, 40, head));
    rc = mi_reply_envelope(r, expected_id, f, result, e);
    json_decref(r);
    return rc;
}

enum mi_err mi_reply_envelope(const json_t *r, json_int_t expected_id,
                              const struct mi_reply_from *from, json_t **result,
                              struct mi_error *e)
{
    static const struct mi_reply_from nobody = {"?", "?", "?", false};
    const struct mi_reply_from *f = from ? from : &nobody;
    enum mi_err rc = MI_OK;
    json_t *jid = json_object_get(r, "id"), *err = json_object_get(r, "error");
    if (!json_is_object(r) || !json_is_integer(jid) || json_integer_value(jid) != expected_id) {
        rc = mi_error_set(e, MI_ERR_GARBAGE, 0,
                          "reply from '%s' to '%s' is not a JSON-RPC response to request %lld",
                          f->address, f->method, (long long)expected_id);
        goto out;
    }
    if (json_is_object(err)) {
        json_t *jc = json_object_get(err, "code");
        const char *msg = json_string_value(json_object_get(err, "message"));
        /* a code outside int would be cut short, and could pass for -32601 */
        if (!json_is_integer(jc) || json_integer_value(jc) < INT_MIN ||
            json_integer_value(jc) > INT_MAX) {
            rc = mi_error_set(e, MI_ERR_GARBAGE, 0, "error reply from '%s' without a valid code",
                              f->address);
            goto out;
        }
        /* OpenSIPS puts the reason in "data" ("Bad type for parameter 'cflags'"), and the
         * message alone ("Invalid params") does not say what to change. */
        char data[200] = "";
        error_data(json_object_get(err, "data"), data, sizeof data);
        rc = mi_error_set(e, MI_ERR_MI, (int)json_integer_value(jc), "%s%s%s", msg ? msg : "",
                          *data ? ": " : "", data);
        if (e)
            snprintf(e->text, sizeof e->text, "MI command '%s' failed on node '%s': %s%s%s (%d)",
                     f->method, f->node, msg ? msg : "no message", *data ? ": " : "", data,
                     e->code);
        goto out;
    }
    json_t *res = json_object_get(r, "result");
    if (!res) {
        rc = mi_error_set(e, MI_ERR_GARBAGE, 0, "reply from '%s' has neither result nor error",
                          f->address);
        goto out;
    }
    *result = json_incref(res);
out:
    return rc;
}
