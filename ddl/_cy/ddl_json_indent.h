/* ddl_json_indent.h: the compiled writer's one-line JSON text laid out as json.dumps lays it
   out with an indent (json_indent.pxi). The one-line text is json.dumps's with its default
   separators (", " between items, ": " after a key) and no other space outside strings, so
   the indented text follows from it alone: each array or object that is not empty opens a
   line per item, one indent deeper, and closes on a line of its own; "," ends an item's line;
   an empty one stays "[]" or "{}". Strings are copied as they are (their escapes included). */

#ifndef DDL_JSON_INDENT_H
#define DDL_JSON_INDENT_H

#include <Python.h>
#include <string.h>

/* A newline and depth indents at out (when out is not NULL); the bytes it takes. */
static inline Py_ssize_t ddl_json_newline(char* out, const char* ind, Py_ssize_t ilen, Py_ssize_t depth) {
    Py_ssize_t k;
    if (out != NULL) {
        *out++ = '\n';
        for (k = 0; k < depth; k++, out += ilen) memcpy(out, ind, (size_t)ilen);
    }
    return 1 + depth * ilen;
}

/* Lay out the one-line text s[:n] (UTF-8) with the indent ind[:ilen] (UTF-8) at out, or only
   count its bytes when out is NULL: the length of the laid-out text, or -1 when it would
   exceed PY_SSIZE_T_MAX (an indent of that size). Run once to count, then to write. */
static Py_ssize_t ddl_json_indent(const char* s, Py_ssize_t n, const char* ind, Py_ssize_t ilen, char* out) {
    Py_ssize_t i = 0, size = 0, depth = 0, step;
    char c;
    while (i < n) {
        c = s[i];
        if (c == '"') {  /* a string, through its closing quote: a '"' after a backslash is in it */
            Py_ssize_t start = i++;
            while (i < n && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
            i = i < n ? i + 1 : n;  /* past the closing quote; never past the text */
            if (out != NULL) memcpy(out + size, s + start, (size_t)(i - start));
            size += i - start;
            continue;
        }
        if ((c == '[' || c == '{') && i + 1 < n && s[i + 1] == c + 2) {  /* "[]", "{}" */
            if (out != NULL) memcpy(out + size, s + i, 2);
            size += 2;
            i += 2;
            continue;
        }
        if (c == '[' || c == '{') {
            if (out != NULL) out[size] = c;
            depth++;
            step = 1 + ddl_json_newline(out != NULL ? out + size + 1 : NULL, ind, ilen, depth);
        } else if (c == ']' || c == '}') {
            depth--;
            step = ddl_json_newline(out != NULL ? out + size : NULL, ind, ilen, depth) + 1;
            if (out != NULL) out[size + step - 1] = c;
        } else if (c == ',') {  /* ", " between items: the space gives way to the new line */
            if (out != NULL) out[size] = c;
            step = 1 + ddl_json_newline(out != NULL ? out + size + 1 : NULL, ind, ilen, depth);
            i++;
        } else {
            if (out != NULL) out[size] = c;
            step = 1;
        }
        if (size > PY_SSIZE_T_MAX - step) return -1;
        size += step;
        i++;
    }
    return size;
}

#endif /* DDL_JSON_INDENT_H */
