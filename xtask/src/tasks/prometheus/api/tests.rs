use super::urlencode;

#[test]
fn a_query_is_percent_encoded_but_for_the_unreserved_bytes() {
    assert_eq!(
        urlencode(r#"sum(rate(x_bucket{le="0.1"}[30s])) / 2"#),
        "sum%28rate%28x_bucket%7Ble%3D%220.1%22%7D%5B30s%5D%29%29%20%2F%202"
    );
    assert_eq!(urlencode("a-b_c.d~e"), "a-b_c.d~e");
    assert_eq!(urlencode("é"), "%C3%A9");
}
