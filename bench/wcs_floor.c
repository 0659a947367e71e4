/* wcs_floor: the in-process floor of the benchmark.
 *
 * What a SAML login costs with no HTTP and no module around it: the work
 * of bench/floor_work.c (base64, parse, XML-DSig verification) over a
 * file of responses, in a tight loop.  The module's time per sign-in is
 * compared against it.
 *
 * Usage: wcs_floor [-r REPEATS] IDP_CERT.pem RESPONSES_FILE
 * RESPONSES_FILE holds one base64 SAMLResponse per line, as
 * t/tools/wcs_mkresponse prints them.  Exit 1 if any response fails
 * (a floor that skips work is worthless), 2 on usage errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/crypto.h>

#include "floor_work.h"

typedef struct {
    char *b64;
    size_t len;
    long line;                   /* in RESPONSES_FILE, for messages */
} response_t;

static void die(int code, const char *msg, const char *arg)
{
    fprintf(stderr, "wcs_floor: %s%s%s\n", msg, arg ? ": " : "",
            arg ? arg : "");
    exit(code);
}

/* Every non-empty line of path, in memory (*text, to free) before anything
 * is timed. */
static response_t *read_responses(size_t *count, char **text,
                                  const char *path)
{
    FILE *f = fopen(path, "rb");
    long size = f && !fseek(f, 0, SEEK_END) ? ftell(f) : -1;
    char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL, *s, *nl;
    response_t *r = NULL;
    size_t n = 0;
    long line = 0;

    if (!buf || fseek(f, 0, SEEK_SET)
        || fread(buf, 1, (size_t)size, f) != (size_t)size
        || !(r = malloc(((size_t)size / 2 + 1) * sizeof(*r)))) {
        die(1, "cannot read", path);
    }
    fclose(f);
    buf[size] = '\0';
    for (s = buf; s < buf + size; s = nl + 1) {
        nl = strchr(s, '\n');
        nl = nl ? nl : buf + size;
        *nl = '\0';
        line++;
        if (nl > s && nl[-1] == '\r') {
            nl[-1] = '\0';
        }
        if (*s) {
            r[n].b64 = s;
            r[n].len = strlen(s);
            r[n++].line = line;
        }
    }
    if (n == 0) {
        die(1, "no responses in", path);
    }
    *count = n;
    *text = buf;
    return r;
}

static double seconds(clockid_t clock)
{
    struct timespec ts;

    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long repeats = 1, pass;
    size_t i, count, max = 0;
    response_t *r;
    xmlSecKeyPtr key;
    unsigned char *buf;
    double cpu, wall, per;
    const char *why;
    char *end, *text;
    long sigs = 0;
    int a = 1;

    if (argc == 5 && !strcmp(argv[1], "-r")) {
        repeats = strtol(argv[2], &end, 10);
        a = 3;
        if (*end || repeats < 1) {
            die(2, "REPEATS must be a positive integer", argv[2]);
        }
    }
    if (argc - a != 2) {
        die(2, "usage: wcs_floor [-r REPEATS] IDP_CERT.pem RESPONSES_FILE",
            NULL);
    }
    xmlInitParser();
    if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1
        || xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0) {
        die(1, "xmlsec initialisation failed", NULL);
    }
    if (!(key = floor_load_key(argv[a]))) {
        die(1, "cannot load a public key from the certificate", argv[a]);
    }
    r = read_responses(&count, &text, argv[a + 1]);
    for (i = 0; i < count; i++) {
        max = r[i].len > max ? r[i].len : max;
    }
    if (!(buf = malloc(max / 4 * 3 + 1))) {
        die(1, "out of memory", NULL);
    }

    cpu = seconds(CLOCK_PROCESS_CPUTIME_ID);
    wall = seconds(CLOCK_MONOTONIC);
    for (pass = 0; pass < repeats; pass++) {
        for (i = 0; i < count; i++) {
            if ((why = floor_one(&sigs, r[i].b64, r[i].len, buf, key))) {
                fprintf(stderr, "wcs_floor: %s line %ld: %s\n", argv[a + 1],
                        r[i].line, why);
                return 1;
            }
        }
    }
    cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu;
    wall = seconds(CLOCK_MONOTONIC) - wall;

    per = cpu * 1e3 / ((double)count * repeats);
    printf("floor: %lu responses, %ld signatures verified, %.3f s CPU "
           "(%.3f s wall), %.3f ms CPU per response\n",
           (unsigned long)(count * repeats), sigs, cpu, wall, per);
    printf("floor-ms-per-response %.3f\n", per);
    free(buf);
    free(r);
    free(text);
    xmlSecKeyDestroy(key);
    xmlSecCryptoShutdown();
    xmlSecCryptoAppShutdown();
    xmlSecShutdown();
    xmlCleanupParser();
    return 0;
}
