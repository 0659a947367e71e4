#include <string.h>

#include "check_wcs.h"
#include "wcs_xml.h"

static apr_status_t parse(const char *xml, wcs_result_t *res)
{
    xmlDocPtr doc;

    return wcs_xml_parse(&doc, res, xml, strlen(xml), 4096, 8, wcs_test_pool);
}

START_TEST(parse_refuses_doctype_and_depth)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };

    ck_assert_int_eq(parse("<a><b/></a>", &res), APR_SUCCESS);
    ck_assert_int_eq(parse("<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>", &res),
                     WCS_EREFUSED);
    ck_assert_ptr_nonnull(strstr(res.reason, "DOCTYPE"));
    ck_assert_int_eq(parse("<!DOCTYPE a SYSTEM \"http://127.0.0.1/x\"><a/>",
                           &res), WCS_EREFUSED);
    ck_assert_int_eq(parse("<a><a><a><a><a><a><a><a><a/></a></a></a></a></a>"
                           "</a></a></a>", &res), WCS_EREFUSED);
    ck_assert_ptr_nonnull(strstr(res.reason, "deeper"));
    ck_assert_int_eq(parse("<a>", &res), WCS_EREFUSED);
    ck_assert_ptr_nonnull(strstr(res.reason, "not well-formed"));
}
END_TEST

static apr_status_t parse_doc(xmlDocPtr *doc, const char *xml,
                              wcs_result_t *res)
{
    return wcs_xml_parse(doc, res, xml, strlen(xml), 4096, 8, wcs_test_pool);
}

START_TEST(parse_refusals)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    xmlDocPtr doc;
    static const char depth8[] = "<a><a><a><a><a><a><a><a/></a></a></a></a>"
                                 "</a></a></a>";
    char big[5000];

    /* External DOCTYPE: refused, nothing fetched, reason names it. */
    res.reason = NULL;
    ck_assert_int_eq(parse("<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>",
                           &res), WCS_EREFUSED);
    ck_assert_int_eq(res.code, WCS_CODE_GENERAL);
    ck_assert_ptr_nonnull(strstr(res.reason, "DOCTYPE"));
    res.reason = NULL;
    ck_assert_int_eq(parse("<?xml version=\"1.0\"?>\n<!DOCTYPE a PUBLIC "
                           "\"-//x//y\" \"http://127.0.0.1:9/x.dtd\"><a/>",
                           &res), WCS_EREFUSED);
    ck_assert_ptr_nonnull(strstr(res.reason, "DOCTYPE"));
    res.reason = NULL;
    ck_assert_int_eq(parse("<!DOCTYPE a [<!ENTITY x SYSTEM "
                           "\"file:///etc/passwd\">]><a>&x;</a>", &res),
                     WCS_EREFUSED);
    ck_assert_ptr_nonnull(strstr(res.reason, "DOCTYPE"));
    res.reason = NULL;
    ck_assert_int_eq(parse("<!DOCTYPE a><a/>", &res), WCS_EREFUSED);
    ck_assert_ptr_nonnull(strstr(res.reason, "DOCTYPE"));
    /* Comments, PIs and an XML declaration around the root are fine. */
    ck_assert_int_eq(parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<!-- c --><?pi x?><a/><!-- d -->", &res),
                     APR_SUCCESS);
    /* Without a DTD an entity reference is simply not well-formed. */
    ck_assert_int_eq(parse("<a>&x;</a>", &res), WCS_EREFUSED);
    /* Depth: exactly the limit is fine. */
    ck_assert_int_eq(parse_doc(&doc, depth8, &res), APR_SUCCESS);
    ck_assert_ptr_nonnull(doc);
    /* Size. */
    memset(big, ' ', sizeof(big) - 1);
    memcpy(big, "<a>", 3);
    memcpy(big + sizeof(big) - 5, "</a>", 4);
    big[sizeof(big) - 1] = '\0';
    res.reason = NULL;
    ck_assert_int_eq(parse(big, &res), WCS_EREFUSED);
    ck_assert_ptr_nonnull(strstr(res.reason, "limit"));
    /* Empty and junk. */
    res.reason = NULL;
    ck_assert_int_eq(parse("", &res), WCS_EREFUSED);
    ck_assert_ptr_nonnull(strstr(res.reason, "empty"));
    ck_assert_int_eq(parse("   ", &res), WCS_EREFUSED);
    ck_assert_int_eq(parse("hello world", &res), WCS_EREFUSED);
    ck_assert_ptr_nonnull(strstr(res.reason, "not well-formed"));
    ck_assert_int_eq(parse("<a></b>", &res), WCS_EREFUSED);
    ck_assert_int_eq(parse("<a/><b/>", &res), WCS_EREFUSED);
    /* A refused parse leaves no document behind. */
    doc = (xmlDocPtr)1;
    ck_assert_int_eq(parse_doc(&doc, "<a>", &res), WCS_EREFUSED);
    ck_assert_ptr_null(doc);
}
END_TEST

static xmlNodePtr root_of(const char *xml)
{
    wcs_result_t res = { WCS_CODE_NONE, NULL };
    xmlDocPtr doc;

    ck_assert_int_eq(parse_doc(&doc, xml, &res), APR_SUCCESS);
    return xmlDocGetRootElement(doc);
}

START_TEST(text_refuses_mixed_content)
{
    apr_pool_t *p = wcs_test_pool;

    ck_assert_str_eq(wcs_xml_text(root_of("<a>alice@example.test</a>"), p),
                     "alice@example.test");
    /* One CDATA section is one value; text split over several nodes is
     * how c14n-invisible markup hides in a value: refused. */
    ck_assert_str_eq(wcs_xml_text(root_of("<a><![CDATA[x<y>z]]></a>"), p),
                     "x<y>z");
    ck_assert_ptr_null(wcs_xml_text(root_of("<a>x<![CDATA[<y>]]>z</a>"), p));
    /* libxml2 joins adjacent CDATA sections into one: one value. */
    ck_assert_str_eq(wcs_xml_text(root_of("<a><![CDATA[x]]><![CDATA[y]]>"
                                          "</a>"), p), "xy");
    /* Entity and character references are text, not markup. */
    ck_assert_str_eq(wcs_xml_text(root_of("<a>a&amp;b&#233;c&lt;</a>"), p),
                     "a&b\xc3\xa9" "c<");
    ck_assert_str_eq(wcs_xml_text(root_of("<a/>"), p), "");
    ck_assert_ptr_null(wcs_xml_text(root_of("<a>alice@example.test<!---->"
                                            ".evil.test</a>"), p));
    ck_assert_ptr_null(wcs_xml_text(root_of("<a>x<!-- c --></a>"), p));
    ck_assert_ptr_null(wcs_xml_text(root_of("<a>x<b/></a>"), p));
    ck_assert_ptr_null(wcs_xml_text(root_of("<a><?pi x?>y</a>"), p));
}
END_TEST

/* What the refusal reasons say a value holds. */
START_TEST(markup_names_what)
{
    ck_assert_ptr_null(wcs_xml_markup(root_of("<a>plain</a>")));
    ck_assert_ptr_null(wcs_xml_markup(root_of("<a/>")));
    ck_assert_ptr_null(wcs_xml_markup(root_of("<a><![CDATA[x]]></a>")));
    ck_assert_str_eq(wcs_xml_markup(root_of("<a>x<!---->y</a>")),
                     "a comment");
    ck_assert_str_eq(wcs_xml_markup(root_of("<a>x<?pi y?></a>")),
                     "a processing instruction");
    ck_assert_str_eq(wcs_xml_markup(root_of("<a>x<![CDATA[y]]></a>")),
                     "text split by CDATA");
    ck_assert_str_eq(wcs_xml_markup(root_of("<a> <b>x</b> </a>")),
                     "an element");
    /* A comment counts whatever else is there. */
    ck_assert_str_eq(wcs_xml_markup(root_of("<a><b/><!--c--></a>")),
                     "a comment");
}
END_TEST

START_TEST(attr_ignores_namespaced)
{
    apr_pool_t *p = wcs_test_pool;
    xmlNodePtr r;

    r = root_of("<a xmlns:x=\"urn:x\" x:ID=\"evil\"/>");
    ck_assert_ptr_null(wcs_xml_attr(r, "ID", p));
    r = root_of("<a xmlns:x=\"urn:x\" x:ID=\"evil\" ID=\"good\"/>");
    ck_assert_str_eq(wcs_xml_attr(r, "ID", p), "good");
    r = root_of("<a xmlns:x=\"urn:x\" ID=\"good\" x:ID=\"evil\"/>");
    ck_assert_str_eq(wcs_xml_attr(r, "ID", p), "good");
    r = root_of("<a ID=\"\" Name=\"a&amp;b\"/>");
    ck_assert_str_eq(wcs_xml_attr(r, "ID", p), "");
    ck_assert_str_eq(wcs_xml_attr(r, "Name", p), "a&b");
    ck_assert_ptr_null(wcs_xml_attr(r, "id", p));
}
END_TEST

START_TEST(dom_helpers)
{
    xmlNodePtr r, b, first, second;

    r = root_of("<r xmlns=\"urn:n\" xmlns:o=\"urn:o\"><a/><b><a/><c><a/>"
                "<o:a/></c></b>text<!--a--><a/><o:a/></r>");
    ck_assert_int_eq(wcs_xml_count_descendants(r, "urn:n", "a"), 4);
    ck_assert_int_eq(wcs_xml_count_descendants(r, "urn:o", "a"), 2);
    ck_assert_int_eq(wcs_xml_count_descendants(r, "urn:n", "r"), 1);
    ck_assert_int_eq(wcs_xml_count_descendants(r, "urn:x", "a"), 0);
    ck_assert_int_eq(wcs_xml_count_children(r, "urn:n", "a"), 2);
    b = wcs_xml_child(r, "urn:n", "b", NULL);
    ck_assert_ptr_nonnull(b);
    /* A subtree count stays inside the subtree. */
    ck_assert_int_eq(wcs_xml_count_descendants(b, "urn:n", "a"), 2);
    ck_assert_int_eq(wcs_xml_count_descendants(
                         wcs_xml_child(r, "urn:n", "a", NULL), "urn:n", "a"),
                     1);
    first = wcs_xml_child(r, "urn:n", "a", NULL);
    second = wcs_xml_child(r, "urn:n", "a", first);
    ck_assert_ptr_nonnull(second);
    /* Past the text, the comment and b, and not the o:a after it. */
    ck_assert(wcs_xml_is(second->next, "urn:o", "a"));
    ck_assert_ptr_null(wcs_xml_child(r, "urn:n", "a", second));
    ck_assert_ptr_null(wcs_xml_child(NULL, "urn:n", "a", NULL));
    ck_assert(wcs_xml_is(r, "urn:n", "r"));
    ck_assert(!wcs_xml_is(r, "urn:o", "r"));
    ck_assert(!wcs_xml_is(root_of("<r/>"), "urn:n", "r"));
    ck_assert(!wcs_xml_is(NULL, "urn:n", "r"));
}
END_TEST

Suite *wcs_suite_xml(void)
{
    Suite *s = suite_create("xml");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, wcs_test_setup, wcs_test_teardown);
    tcase_add_test(tc, parse_refuses_doctype_and_depth);
    tcase_add_test(tc, parse_refusals);
    tcase_add_test(tc, text_refuses_mixed_content);
    tcase_add_test(tc, markup_names_what);
    tcase_add_test(tc, attr_ignores_namespaced);
    tcase_add_test(tc, dom_helpers);
    suite_add_tcase(s, tc);
    return s;
}
