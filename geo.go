package socle

// Region is a French région.
type Region struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Departement is a French département.
type Departement struct {
	Code       string `json:"code"`
	RegionCode string `json:"region_code"`
	Name       string `json:"name"`
}

// Commune is a French commune with its postal codes and population.
type Commune struct {
	Code            string   `json:"code"`
	Name            string   `json:"name"`
	DepartementCode string   `json:"departement_code"`
	RegionCode      string   `json:"region_code"`
	PostalCodes     []string `json:"postal_codes"`
	Population      int      `json:"population"`
}
