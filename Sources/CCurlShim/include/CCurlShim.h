#ifndef STEPCONF_CCURLSHIM_H
#define STEPCONF_CCURLSHIM_H

#include <curl/curl.h>
#include <stddef.h>

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
