/*
 * The certificates of the fuzz targets' throwaway IdPs, made once by
 * t/fuzz/make-corpus.sh (test-only-*.pem; their keys sign the corpus).
 * TEST ONLY: these keys are public in this repository and must never
 * be trusted by a real server.
 */
#ifndef WCS_FUZZ_TEST_ONLY_KEYS_H
#define WCS_FUZZ_TEST_ONLY_KEYS_H

#define WCS_FUZZ_IDP "https://idp.example.test/"
#define WCS_FUZZ_EC_IDP "https://ec.example.test/"

static const char wcs_fuzz_idp_cert[] =
    "MIIDOTCCAiGgAwIBAgIUN7loXxqvpjFQ2t540GbSLLs3oLcwDQYJKoZIhvcNAQEL\n"
    "BQAwKzEpMCcGA1UEAwwgVEVTVCBPTkxZIGZ1enogaWRwIC0gbmV2ZXIgdHJ1c3Qw\n"
    "IBcNMjYxMjAxMDYwMDEyWhgPMjEyNjExMDcwNjAwMTJaMCsxKTAnBgNVBAMMIFRF\n"
    "U1QgT05MWSBmdXp6IGlkcCAtIG5ldmVyIHRydXN0MIIBIjANBgkqhkiG9w0BAQEF\n"
    "AAOCAQ8AMIIBCgKCAQEApu55cs0UbCTGSc7r0SCnYMtX70YIr/Rg4gxcoXGafYBI\n"
    "td8aLt079AnDR7a5RsAKBD19totQOH2aUdGvyuTi4l+3+5yW1GwcQjB+0wSM185E\n"
    "vac0pQxq+0obSseMwI2Skj8Z/J4hQIoh+0vjrvn/iGIf5CsX4rLRQyfeydqAItTZ\n"
    "wq6rewBNnO0vOivp4Wdsy+Rt+RujBHS0saZ3snHi42tGJ7WU2UHdIHQWr8fIdn0I\n"
    "ot3kW4wSCOCKBxTk1LoL65v24948+5lMY5cktTMIpuUNWQ0DEnX3AiIvciJ4Of86\n"
    "MXIcQCsg9GNfAgplNaMoFCUCpS32/+VpgqdA2dWxDQIDAQABo1MwUTAdBgNVHQ4E\n"
    "FgQUi/oIMdGYS29mNn+oxwBrBCxRwrUwHwYDVR0jBBgwFoAUi/oIMdGYS29mNn+o\n"
    "xwBrBCxRwrUwDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEADzyd\n"
    "EkRIIOVWPfIfhGah1vkRps+IbfFZ/KkNacL5YdeSlrwx8W4A4/z8wYfMITLVjVzp\n"
    "vurCTrr2hLRQcOa3NoYlRx6eYYh4b1uqxnbjt5TkXk2P36QzKWCL4EfkxLPnyA7M\n"
    "bxIXIsc4/jTujgk7OMUlZRb36P+4Dg3YXHEOZOu/Yi298gWAuL6QMky6oKLlLfJ9\n"
    "MdsaxlWvfp9nAJmOOWnaxxopCcWAMwMzVL6Oy57J9DVIRjpeKzX9ufI6zRm9j0yS\n"
    "sNEtbtfUxX0kVlKfVdKywJTf+0rsRwcuh7KCH3gBZRHz4wxRom4itVUsKMSzeX6B\n"
    "d4IdJ9accdraMpixWQ==\n"
    ;

static const char wcs_fuzz_ec_cert[] =
    "MIIBtDCCAVmgAwIBAgIUen7eLecpCr8nLJryI7cztkYy/VcwCgYIKoZIzj0EAwIw\n"
    "LjEsMCoGA1UEAwwjVEVTVCBPTkxZIGZ1enogZWMgaWRwIC0gbmV2ZXIgdHJ1c3Qw\n"
    "IBcNMjYxMjAxMDYwMDEyWhgPMjEyNjExMDcwNjAwMTJaMC4xLDAqBgNVBAMMI1RF\n"
    "U1QgT05MWSBmdXp6IGVjIGlkcCAtIG5ldmVyIHRydXN0MFkwEwYHKoZIzj0CAQYI\n"
    "KoZIzj0DAQcDQgAExRLgRN83oGDIiuomxXbkCR5rKgFHztobSzvmIl5JXHal5xAF\n"
    "MUQVV0CjabLWIB0qVHXMJ7QKZD8Q/mWvfKLjB6NTMFEwHQYDVR0OBBYEFDD7qY2q\n"
    "rJSynf25bFjFxGX7D5pZMB8GA1UdIwQYMBaAFDD7qY2qrJSynf25bFjFxGX7D5pZ\n"
    "MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhAK5SyPSHzvFGtHZh\n"
    "juj+eJAdLNP9x/b2hgfQjlOl3XsrAiEA/2JiFoPb9r4GKEq/wQ1pe03b4RcNdECV\n"
    "RYXUgZKSKe0=\n"
    ;

#endif
