import streamlit as st

st.set_page_config(page_title="AI use-case workbench", layout="wide")
st.title("AI use-case workbench")
st.write("The workbench is being set up.")
