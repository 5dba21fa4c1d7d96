#include "CCurlShim.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    void (*easy_reset)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const char *load_error = NULL;
static char load_message[512];

#define RESOLVE(field, symbol)                                                                      \
    do {                                                                                            \
        *(void **)(&curl.field) = dlsym(library, symbol);                                           \
        if (curl.field == NULL) {                                                                   \
            snprintf(load_message, sizeof load_message, "libcurl has no symbol %s", symbol);        \
            load_error = load_message;                                                              \
            return;                                                                                 \
        }                                                                                           \
    } while (0)

static void load(void) {
    const char *names[] = {"libcurl.so.4", "libcurl.so", "libcurl-gnutls.so.4"};
    void *library = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && library == NULL; i++) {
        library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    }
    if (library == NULL) {
        const char *why = dlerror();
        snprintf(load_message, sizeof load_message, "cannot open libcurl (libcurl.so.4): %s",
                 why ? why : "unknown error");
        load_error = load_message;
        return;
    }
    RESOLVE(global_init, "curl_global_init");
    RESOLVE(easy_init, "curl_easy_init");
    RESOLVE(easy_cleanup, "curl_easy_cleanup");
    RESOLVE(easy_reset, "curl_easy_reset");
    RESOLVE(easy_perform, "curl_easy_perform");
    RESOLVE(easy_strerror, "curl_easy_strerror");
    RESOLVE(slist_append, "curl_slist_append");
    RESOLVE(slist_free_all, "curl_slist_free_all");
    RESOLVE(easy_setopt, "curl_easy_setopt");
    RESOLVE(easy_getinfo, "curl_easy_getinfo");
    CURLcode code = curl.global_init(SCS_CURL_GLOBAL_ALL);
    if (code != CURLE_OK) {
        snprintf(load_message, sizeof load_message, "curl_global_init failed: %s", curl.easy_strerror(code));
        load_error = load_message;
    }
}

const char *scs_load(void) {
    pthread_once(&load_once, load);
    return load_error;
}

// The functions below are called only after scs_load() returned NULL.

CURL *scs_easy_init(void) { return curl.easy_init(); }
void scs_easy_cleanup(CURL *handle) { curl.easy_cleanup(handle); }
void scs_easy_reset(CURL *handle) { curl.easy_reset(handle); }
CURLcode scs_easy_perform(CURL *handle) { return curl.easy_perform(handle); }
const char *scs_easy_strerror(CURLcode code) { return curl.easy_strerror(code); }

struct curl_slist *scs_slist_append(struct curl_slist *list, const char *value) {
    return curl.slist_append(list, value);
}

void scs_slist_free_all(struct curl_slist *list) {
    if (list != NULL) curl.slist_free_all(list);
}

CURLcode scs_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode scs_setopt_off(CURL *handle, CURLoption option, curl_off_t value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode scs_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode scs_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode scs_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl.easy_setopt(handle, option, value);
}

CURLcode scs_setopt_callback(CURL *handle, CURLoption option, scs_data_callback callback) {
    return curl.easy_setopt(handle, option, callback);
}

CURLcode scs_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl.easy_getinfo(handle, info, value);
}
