"""The Streamlit app's pages (``streamlit run app.py``): one module per page, run by ``st.navigation``.

:mod:`app_pages.session` holds the session (one :class:`~app_pages.session.AppState`), the
cached loaders and the library calls; :mod:`app_pages.widgets` the pieces several pages
show; ``read``, ``review``, ``author``, ``library`` and ``new_story`` are the pages.
"""
