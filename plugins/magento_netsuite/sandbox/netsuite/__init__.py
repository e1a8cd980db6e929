"""The NetSuite sandbox: TBA/OAuth 2.0 auth, REST record API, SuiteQL, our RESTlets, concurrency limit."""
