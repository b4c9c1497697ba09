from conftest import TINY


def test_a_career_logged_from_the_cli_shows_in_the_profile(cli, sqlite_url):
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", TINY).code == 0
    assert cli(*db, "person", "add", "ada", "--name", "Ada Lovelace", "--role", "eng1",
               "--hired", "2022-01-10", "--pay", "45000").code == 0
    assert cli(*db, "log", "skill_step", "ada", "--competency", "coding", "--from", "0",
               "--to", "1", "--on", "2022-03-01").code == 0
    result = cli(*db, "profile", "ada", "--json")
    assert result.code == 0, result.err
    assert '"mastery": 1' in result.out
