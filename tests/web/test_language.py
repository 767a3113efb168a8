def test_browser_language_does_not_switch_to_english(client, login_as, tree):
    """Vietnamese first: an English browser still gets Vietnamese until the person chooses."""
    login_as("unit_it", tree.a)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "vi"
    assert 'lang="vi"' in response.content.decode()
