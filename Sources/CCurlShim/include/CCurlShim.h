#ifndef STEPCONF_CCURLSHIM_H
#define STEPCONF_CCURLSHIM_H

#include <stddef.h>

// The part of libcurl's ABI the shim uses, declared here so that building needs no libcurl headers (no `-dev`
// package): the types are opaque or plain, and every number is the one libcurl's public header gives (stable
// since 7.x; CurlShimTests checks them against the library where its header is installed, and every HTTP test
// exercises them against the library itself).
typedef void CURL;

// A result code; only the ones the client tells apart are named.
typedef enum {
    CURLE_OK = 0,
    CURLE_UNSUPPORTED_PROTOCOL = 1,
    CURLE_URL_MALFORMAT = 3,
    CURLE_COULDNT_RESOLVE_HOST = 6,
    CURLE_COULDNT_CONNECT = 7,
    CURLE_OPERATION_TIMEDOUT = 28,
    CURLE_SCS_LAST = 1000 // keeps the enum wide enough for any code libcurl returns
} CURLcode;

// An option: its kind's base (long 0, object pointer 10000, function pointer 20000, curl_off_t 30000) plus its number.
typedef enum {
    CURLOPT_WRITEDATA = 10000 + 1,
    CURLOPT_URL = 10000 + 2,
    CURLOPT_WRITEFUNCTION = 20000 + 11,
    CURLOPT_POSTFIELDS = 10000 + 15,
    CURLOPT_HTTPHEADER = 10000 + 23,
    CURLOPT_HEADERDATA = 10000 + 29,
    CURLOPT_CUSTOMREQUEST = 10000 + 36,
    CURLOPT_NOBODY = 44,
    CURLOPT_HEADERFUNCTION = 20000 + 79,
    CURLOPT_HTTPGET = 80,
    CURLOPT_NOSIGNAL = 99,
    CURLOPT_POSTFIELDSIZE_LARGE = 30000 + 120,
    CURLOPT_TIMEOUT_MS = 155,
    CURLOPT_CONNECTTIMEOUT_MS = 156
} CURLoption;

// An information item: its kind's base (long 0x200000) plus its number.
typedef enum {
    CURLINFO_RESPONSE_CODE = 0x200000 + 2
} CURLINFO;

// curl_global_init's flags: SSL | WIN32.
#define SCS_CURL_GLOBAL_ALL 3L

// curl_off_t is 64 bits on every platform Swift builds this for.
typedef long long curl_off_t;

// A list of strings (the request's headers), as libcurl links it.
struct curl_slist {
    char *data;
    struct curl_slist *next;
};

// libcurl is opened with dlopen on first use instead of being linked: libcurl.so.4 and the thirty-odd
// libraries it needs (OpenSSL, GSS-API, LDAP, SSH, ...) cost ~9 ms of loading at every process start,
// which a Lambda cold start that never makes an outbound request should not pay.
//
// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call. These wrappers give
// each argument type its own fixed signature.

typedef size_t (*scs_data_callback)(char *data, size_t size, size_t count, void *context);

/// Opens libcurl (once per process) and runs curl_global_init. Returns NULL when libcurl is ready,
/// otherwise a message saying why it is not (the library is missing, or a symbol is).
const char *scs_load(void);

CURL *scs_easy_init(void);
void scs_easy_cleanup(CURL *handle);
void scs_easy_reset(CURL *handle);
CURLcode scs_easy_perform(CURL *handle);
const char *scs_easy_strerror(CURLcode code);
struct curl_slist *scs_slist_append(struct curl_slist *list, const char *value);
void scs_slist_free_all(struct curl_slist *list);

CURLcode scs_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode scs_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode scs_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode scs_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode scs_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode scs_setopt_callback(CURL *handle, CURLoption option, scs_data_callback callback);

CURLcode scs_getinfo_long(CURL *handle, CURLINFO info, long *value);

#endif
