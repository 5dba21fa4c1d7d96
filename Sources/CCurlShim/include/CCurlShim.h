#ifndef STEPCONF_CCURLSHIM_H
#define STEPCONF_CCURLSHIM_H

#include <curl/curl.h>
#include <stddef.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call. These wrappers give
// each argument type its own fixed signature.

typedef size_t (*scs_data_callback)(char *data, size_t size, size_t count, void *context);

CURLcode scs_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode scs_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode scs_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode scs_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode scs_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode scs_setopt_callback(CURL *handle, CURLoption option, scs_data_callback callback);

CURLcode scs_getinfo_long(CURL *handle, CURLINFO info, long *value);

#endif
