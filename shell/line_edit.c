#include "shell/line_edit.h"
#include "lib/string.h"

static void out(struct le_echo *e, const char *s, size_t n)
{
    for (size_t i = 0; i < n && e->len < sizeof(e->buf); i++)
        e->buf[e->len++] = s[i];
}

static void erase_line(struct line_edit *le, struct le_echo *e)
{
    while (le->len) {
        out(e, "\b \b", 3);
        le->len--;
    }
}

static void recall(struct line_edit *le, struct le_echo *e)
{
    erase_line(le, e);
    if (le->hist_back == 0) {
        le->buf[0] = 0;
        return;
    }
    const char *h = le->hist[(le->hist_count - le->hist_back) % LE_HISTORY];
    le->len = strlen(h);
    memcpy(le->buf, h, le->len + 1);
    out(e, le->buf, le->len);
}

void le_init(struct line_edit *le)
{
    memset(le, 0, sizeof(*le));
}

bool le_feed(struct line_edit *le, char c, struct le_echo *e)
{
    if (le->esc == 1) {
        le->esc = c == '[' ? 2 : 0;
        return false;
    }
    if (le->esc == 2) {
        le->esc = 0;
        unsigned avail = le->hist_count < LE_HISTORY ? le->hist_count : LE_HISTORY;
        if (c == 'A' && le->hist_back < avail) {
            le->hist_back++;
            recall(le, e);
        } else if (c == 'B' && le->hist_back > 0) {
            le->hist_back--;
            recall(le, e);
        }
        return false;
    }
    switch (c) {
    case 0x1b:
        le->esc = 1;
        return false;
    case '\r':
    case '\n':
        out(e, "\r\n", 2);
        le->buf[le->len] = 0;
        if (le->len) {
            memcpy(le->hist[le->hist_count % LE_HISTORY], le->buf, le->len + 1);
            le->hist_count++;
        }
        le->len = 0;
        le->hist_back = 0;
        return true;
    case 0x7f:
    case '\b':
        if (le->len) {
            le->len--;
            out(e, "\b \b", 3);
        }
        return false;
    case 0x15: /* Ctrl-U */
        erase_line(le, e);
        return false;
    case 0x03: /* Ctrl-C */
        out(e, "^C\r\n", 4);
        le->len = 0;
        le->hist_back = 0;
        le->buf[0] = 0;
        return true;
    default:
        if ((unsigned char)c < 0x20 || le->len + 1 >= LE_LINE_MAX)
            return false;
        le->buf[le->len++] = c;
        out(e, &c, 1);
        return false;
    }
}
