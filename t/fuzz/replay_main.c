/*
 * A stand-in for libFuzzer's main, so that `make check` replays a fuzz
 * target's corpus with the system compiler: every file of the
 * directories (or the files) given on the command line goes through
 * LLVMFuzzerTestOneInput once.  A crash or a broken property aborts, and
 * the exit status says so.
 */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long len;
    size_t got;

    if (!f) {
        perror(path);
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0) {
        perror(path);
        fclose(f);
        return -1;
    }
    /* One byte more than the input, so that an empty file is a valid
     * (non-NULL) buffer too, as libFuzzer gives. */
    buf = malloc((size_t)len + 1);
    if (!buf) {
        fclose(f);
        return -1;
    }
    got = fread(buf, 1, (size_t)len, f);
    fclose(f);
    if (got != (size_t)len) {
        fprintf(stderr, "%s: short read\n", path);
        free(buf);
        return -1;
    }
    LLVMFuzzerTestOneInput(buf, got);
    free(buf);
    return 0;
}

static int replay_dir(const char *dir, int *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct stat st;
    char path[4096];
    int rv = 0;

    if (!d) {
        perror(dir);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        if (replay_file(path) != 0) {
            rv = -1;
        }
        (*count)++;
    }
    closedir(d);
    return rv;
}

int main(int argc, char **argv)
{
    struct stat st;
    int i, count = 0, rv = 0;

    LLVMFuzzerInitialize(&argc, &argv);
    for (i = 1; i < argc; i++) {
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            if (replay_dir(argv[i], &count) != 0) {
                rv = 1;
            }
        }
        else {
            if (replay_file(argv[i]) != 0) {
                rv = 1;
            }
            count++;
        }
    }
    printf("%d inputs replayed\n", count);
    return rv;
}
