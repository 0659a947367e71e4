/*
 * mod_wcs: what every httpd glue file shares, and nothing more: the
 * module record and the names of this module in httpd's configuration
 * and log.  Each glue file has its own header (mod_wcs_<concern>.h);
 * directive names are defined once in src/wcs_names.h, which the core
 * uses too.
 */
#ifndef MOD_WCS_H
#define MOD_WCS_H

#include <httpd.h>
#include <http_config.h>

#include "wcs_names.h"

#define WCS_AUTH_TYPE "WebcastSAML"
#define WCS_LOG_TAG "WCS"

extern module AP_MODULE_DECLARE_DATA webcast_saml_module;

#endif
