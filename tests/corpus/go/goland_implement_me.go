package repo

type Repo struct{}

func (r Repo) Save(id int, data []byte) error {
	panic("implement me")
}

func (r Repo) Delete(id int) error { panic("not implemented") }
